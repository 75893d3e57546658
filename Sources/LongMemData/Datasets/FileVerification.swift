/// The state of one manifest file in a data directory.
public struct FileVerification: Equatable, Sendable {
    public enum Status: Equatable, Sendable {
        /// Present with the manifest's size and SHA-256.
        case verified
        /// Present, but the manifest has no checksum to compare with (the official ChapterBreak files).
        case unverified(bytes: Int)
        case missing
        case sizeMismatch(expected: Int, actual: Int)
        case checksumMismatch(expected: String, actual: String)
        /// Present but unreadable (permissions, a directory in its place).
        case unreadable(reason: String)

        /// Missing, wrong or unreadable.
        public var isProblem: Bool {
            switch self {
            case .verified, .unverified: return false
            case .missing, .sizeMismatch, .checksumMismatch, .unreadable: return true
            }
        }

        /// A short word for tables and JSON: verified, unverified, missing, size-mismatch, ...
        public var label: String {
            switch self {
            case .verified: return "verified"
            case .unverified: return "unverified"
            case .missing: return "missing"
            case .sizeMismatch: return "size-mismatch"
            case .checksumMismatch: return "checksum-mismatch"
            case .unreadable: return "unreadable"
            }
        }
    }

    public let file: DatasetFile
    /// The file's absolute path in the data directory.
    public let path: String
    public let status: Status

    /// One line: the path and what is wrong or right with it.
    public var message: String {
        switch status {
        case .verified: return "\(path): verified (sha256 \(file.sha256 ?? ""))"
        case .unverified(let bytes):
            return "\(path): present, \(bytes) bytes, unverified (the manifest has no checksum for it)"
        case .missing: return "\(path): missing"
        case .sizeMismatch(let expected, let actual):
            return "\(path): size mismatch: \(actual) bytes, the manifest says \(expected)"
        case .checksumMismatch(let expected, let actual):
            return "\(path): checksum mismatch: sha256 \(actual), the manifest says \(expected)"
        case .unreadable(let reason): return "\(path): unreadable: \(reason)"
        }
    }
}
