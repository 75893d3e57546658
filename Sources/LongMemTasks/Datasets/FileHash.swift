import Crypto
import Foundation

/// SHA-256 of files and bytes, as lower-case hex.
///
/// Files are read in 1 MiB blocks so that hashing a multi-gigabyte download (or a model file, for the
/// provenance of a results file) never holds it in memory.
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

    /// The read size: large enough that system-call overhead is negligible, small enough to stay in cache.
    public static let blockSize = 1 << 20

    /// SHA-256 of the file's bytes.
    public static func sha256(path: String) throws(Failure) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure.notFound(path: path)
        }
        guard !isDirectory.boolValue else { throw Failure.unreadable(path: path, reason: "is a directory") }
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw Failure.unreadable(path: path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let block = try handle.read(upToCount: blockSize), !block.isEmpty {
                hasher.update(data: block)
            }
        } catch {
            throw Failure.unreadable(path: path, reason: error.localizedDescription)
        }
        return hex(hasher.finalize())
    }

    /// SHA-256 of bytes in memory.
    public static func sha256(data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex of a digest.
    static func hex<Digest: Sequence>(_ digest: Digest) -> String where Digest.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
