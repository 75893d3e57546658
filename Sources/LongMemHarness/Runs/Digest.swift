import Crypto
import Foundation

/// SHA-256 digests (hex) for provenance: input texts, data files and weight files.
public enum Digest {
    public static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Streams the file in 1 MiB blocks (weight files are gigabytes).
    public static func sha256(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunError.unreadable(path: path) }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        return hex(hasher.finalize())
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
