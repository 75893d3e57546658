import Foundation

/// Hostile inputs made on the fly in a temporary folder (no committed fixtures): FIFOs, folders where files
/// belong, and the command runs that must fail promptly.
public enum HostileFiles {
    /// A FIFO at `path`. Should a reader wrongly open it and block, a writer opens and closes it after
    /// `unblockAfter` seconds, so the reader sees end-of-file: the test then fails on its message, not hangs.
    @discardableResult
    public static func fifo(at path: String, unblockAfter seconds: Double = 20) throws -> String {
        guard mkfifo(path, 0o644) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            let descriptor = open(path, O_RDWR | O_NONBLOCK)
            if descriptor >= 0 { close(descriptor) }
        }
        return path
    }

    /// A folder at `path` (where a file is expected).
    @discardableResult
    public static func folder(at path: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
