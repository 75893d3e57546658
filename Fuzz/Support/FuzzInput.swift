// Shared by every fuzz target (see Fuzz/README.md). Not part of the package: Scripts/fuzz.sh compiles it
// with one file of Targets/ against the modules that `swift build` left in .build-fuzz.
import Foundation

/// The readers take paths: each process writes its inputs into one private folder and reuses the paths.
enum FuzzInput {
    /// A fresh folder for this process under the temporary folder, removed when the process exits normally
    /// (libFuzzer's -fork mode starts a process per job).
    static let folder: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let path = base + "/longmem-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: FuzzInput.folder) }
        return path
    }()

    /// Writes `bytes` to `name` inside `folder` (creating subfolders) and returns the path.
    @discardableResult
    static func write(_ bytes: UnsafeRawBufferPointer, to name: String) -> String {
        let path = folder + "/" + name
        let parent = (path as NSString).deletingLastPathComponent
        if parent != folder {
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        guard let stream = fopen(path, "wb") else { fatalError("fuzz harness: cannot write \(path)") }
        if bytes.count > 0 { _ = fwrite(bytes.baseAddress!, 1, bytes.count, stream) }
        fclose(stream)
        return path
    }

    @discardableResult
    static func write(_ data: Data, to name: String) -> String {
        data.withUnsafeBytes { write($0, to: name) }
    }

    /// The reader a multi-reader target runs: the first byte minus ASCII '0', modulo `count`, so that a
    /// seed can start with a readable digit ("0" the first reader, "1" the second, ...).
    static func selector(_ byte: UInt8, count: Int) -> Int { Int(byte &- 0x30) % count }

    /// Splits the input at the first `separator` byte: a way to fuzz two files with one input.
    static func split(_ bytes: UnsafeRawBufferPointer, at separator: UInt8 = 0) -> (Data, Data) {
        guard let index = bytes.firstIndex(of: separator) else { return (Data(bytes), Data()) }
        return (Data(bytes[..<index]), Data(bytes[(index + 1)...]))
    }
}

/// The input as libFuzzer hands it over.
func fuzzBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: size > 0 ? UnsafeRawPointer(data) : nil, count: size)
}
