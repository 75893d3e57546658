/// Errors of the dataset layer: the data directory, the manifest, verification and downloads. Each message is
/// one line that starts with the file, URL or option that is wrong.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A dataset name that the manifest does not know.
    case unknownDataset(name: String, known: [String])
    /// The manifest text is not the expected JSON.
    case malformedManifest(source: String, reason: String)
    /// The data directory exists but is not a directory, or cannot be created.
    case badDataDirectory(path: String, reason: String)
    /// A manifest file that has no public URL (written by whoever collected the data directory).
    case noURL(path: String)
    /// The server answered with a non-2xx status.
    case httpStatus(url: String, status: Int)
    /// The transfer failed: connection refused or cut, DNS, TLS, timeout.
    case transferFailed(url: String, reason: String)
    /// The connection ended before the announced Content-Length arrived.
    case truncated(url: String, received: Int64, expected: Int64)
    /// The downloaded bytes do not have the manifest's size.
    case sizeMismatch(url: String, path: String, expected: Int, actual: Int)
    /// The downloaded bytes do not have the manifest's SHA-256.
    case checksumMismatch(url: String, path: String, expected: String, actual: String)
    /// The file could not be written, synced or renamed into place.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownDataset(let name, let known):
            return "\(name): unknown dataset (known: \(known.joined(separator: ", ")))"
        case .malformedManifest(let source, let reason): return "\(source): malformed dataset manifest: \(reason)"
        case .badDataDirectory(let path, let reason): return "\(path): unusable data directory: \(reason)"
        case .noURL(let path): return "\(path): no public URL in the manifest (a local document); cannot fetch it"
        case .httpStatus(let url, let status): return "\(url): HTTP status \(status)"
        case .transferFailed(let url, let reason): return "\(url): download failed: \(reason)"
        case .truncated(let url, let received, let expected):
            return "\(url): connection closed after \(received) of \(expected) bytes"
        case .sizeMismatch(let url, let path, let expected, let actual):
            return "\(url): \(actual) bytes, but the manifest says \(expected) for \(path); nothing written"
        case .checksumMismatch(let url, let path, let expected, let actual):
            return "\(url): SHA-256 \(actual), but the manifest says \(expected) for \(path); nothing written"
        case .writeFailed(let path, let reason): return "\(path): cannot write: \(reason)"
        }
    }
}
