import Foundation
import LongMemHarness
import LongMemTensor

/// SHA-256 of files and bytes, as lower-case hex, with the dataset layer's typed errors.
public enum FileHash {
    /// SHA-256 of the file's bytes (streamed by `Digest`), with a typed error naming the file.
    public static func sha256(path: String) throws(DataError) -> String {
        do { try RegularFile.check(path) } catch {
            if case .fileNotFound = error { throw DataError.fileNotFound(path: path) }
            throw DataError.unreadable(path: path, reason: error.problem)
        }
        do { return try Digest.sha256(file: path) } catch let error as HarnessError {
            throw DataError.unreadable(path: path, reason: "cannot open it (\(error))")
        } catch {
            throw DataError.unreadable(path: path, reason: error.localizedDescription)
        }
    }

    /// SHA-256 of bytes in memory.
    public static func sha256(data: Data) -> String { Digest.sha256(data) }
}
