import Crypto
import Foundation

/// SHA-256 digests (hex) for provenance: input texts, data files and weight files.
public enum Digest {
    public static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// The read size of file digests: large enough that system-call overhead is negligible, small enough
    /// that hashing a multi-gigabyte weight file never holds it in memory.
    public static let blockSize = 1 << 20

    /// Streams the file in `blockSize` blocks.
    public static func sha256(file path: String) throws -> String {
        try HarnessError.requireRegularFile(path)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HarnessError.unreadable(path: path, reason: "cannot open the file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty { hasher.update(data: block) }
        return hex(hasher.finalize())
    }

    /// Lower-case hex of a digest's bytes.
    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
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
