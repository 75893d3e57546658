import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on a run folder (`flock` on its `.lock` file), so that two processes never write one
/// run. The file names the holder (pid and command) for the other process's error. The kernel drops the
/// lock when its descriptor closes: on `release`, when the lock is freed, and when the process exits or
/// is killed, so a crashed run never leaves its folder locked.
public final class RunLock {
    public static let file = ".lock"
    public let path: String
    private var descriptor: Int32

    /// Takes the lock of `directory`, which must exist, or throws `HarnessError.locked` at once.
    public init(directory: String) throws {
        path = directory + "/" + Self.file
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HarnessError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(descriptor)
            close(descriptor)
            descriptor = -1  // deinit runs after a throwing init too: it must not close the number again
            throw HarnessError.locked(path: directory, holder: holder)
        }
        // The file is kept between runs (deleting it would let two processes lock two different files);
        // only its text changes.
        let text = "pid \(getpid()): \(Self.command)\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit { release() }

    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
        descriptor = -1
    }

    /// This process's command line on one line; `longmem-eval` for the executable's path.
    static var command: String {
        (["longmem-eval"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// What the holder wrote. It writes right after locking, so an empty file is read again briefly.
    private static func holder(_ descriptor: Int32) -> String {
        for _ in 0..<20 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { return text }
            usleep(10_000)
        }
        return "pid unknown"
    }
}
