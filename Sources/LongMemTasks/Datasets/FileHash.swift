import Foundation
import LongMemHarness

/// SHA-256 of files and bytes, as lower-case hex, with the dataset layer's typed errors.
public enum FileHash {
    public enum Failure: Error, CustomStringConvertible, Equatable, Sendable {
        case notFound(path: String)
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .notFound(let path): return "\(path): file not found"
            case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
            }
        }
    }

    /// SHA-256 of the file's bytes (streamed by `Digest`), with a typed error naming the file.
    public static func sha256(path: String) throws(Failure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure.notFound(path: path)
        }
        guard !isDirectory.boolValue else { throw Failure.unreadable(path: path, reason: "is a directory") }
        do { return try Digest.sha256(file: path) } catch let error as RunError {
            throw Failure.unreadable(path: path, reason: "cannot open it (\(error))")
        } catch {
            throw Failure.unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// SHA-256 of bytes in memory.
    public static func sha256(data: Data) -> String { Digest.sha256(data) }
}
