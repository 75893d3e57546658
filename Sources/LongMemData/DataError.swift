import Foundation

/// Errors of the data layer: the data directory, its manifest and verification, downloads, ChapterBreak
/// files and their builder, CPython-compatible sampling and model fetching. Each message is one line that
/// starts with the file, URL, model or setting that is wrong.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    // Files.
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    /// A file could not be written, synced or renamed into place.
    case unwritable(path: String, reason: String)

    // The data directory and its manifest.
    /// A dataset name that the manifest does not know.
    case unknownDataset(name: String, known: [String])
    /// The manifest text is not the expected JSON.
    case malformedManifest(source: String, reason: String)
    /// The data directory exists but is not a directory, or cannot be created.
    case badDataDirectory(path: String, reason: String)
    /// A manifest file that has no public URL (written by whoever collected the data directory).
    case noURL(path: String)

    // Downloads.
    /// The server answered with a non-2xx status.
    case httpStatus(url: String, status: Int)
    /// The transfer failed: connection refused or cut, DNS, TLS, timeout.
    case transferFailed(url: String, reason: String)
    /// The connection ended before the announced Content-Length arrived.
    case truncatedDownload(url: String, received: Int64, expected: Int64)
    /// The downloaded bytes do not have the manifest's size.
    case sizeMismatch(url: String, path: String, expected: Int, actual: Int)
    /// The downloaded bytes do not have the manifest's SHA-256.
    case checksumMismatch(url: String, path: String, expected: String, actual: String)

    // ChapterBreak files and the builder.
    /// Not JSON, or not the official layout at the top level or for a work.
    case malformedChapterBreak(path: String, reason: String)
    /// A top-level key other than `pg19` and `ao3`.
    case unknownSplit(path: String, split: String)
    /// An entry that is not `{"ctx": string, "pos": string, "negs": [string]}`.
    case malformedEntry(path: String, split: String, workID: String, index: Int, reason: String)
    /// An entry whose `negs` does not hold exactly five suffixes.
    case wrongNegativeCount(path: String, split: String, workID: String, index: Int, count: Int)
    /// A book for the builder that cannot be read (missing, not UTF-8, empty).
    case unreadableBook(path: String, reason: String)
    /// Two books with the same work id (the id is taken from the file name's number).
    case duplicateWorkID(workID: String, paths: [String])
    /// No book had enough chapters to make an example.
    case noExamples(books: Int)
    /// A builder setting out of range ("suffix words", ...).
    case invalidSetting(setting: String, reason: String)

    // Sampling (where CPython's `Random.sample` raises `ValueError`).
    /// More items were requested than the population holds (`k > n`).
    case sampleLargerThanPopulation(k: Int, populationCount: Int)
    /// A negative number of items was requested.
    case negativeSampleSize(k: Int)

    // Models.
    case unknownModel(String)
    case commandFailed(command: String, status: Int32, output: String)
    case missingMember(archive: String, member: String)
    /// A model file whose SHA-256 is not the catalog's.
    case modelChecksumMismatch(path: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): "\(path): file not found"
        case .unreadable(let path, let reason): "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason): "\(path): cannot write: \(reason)"
        case .unknownDataset(let name, let known): "\(name): unknown dataset (known: \(known.joined(separator: ", ")))"
        case .malformedManifest(let source, let reason): "\(source): malformed dataset manifest: \(reason)"
        case .badDataDirectory(let path, let reason): "\(path): unusable data directory: \(reason)"
        case .noURL(let path): "\(path): no public URL in the manifest (a local document); cannot fetch it"
        case .httpStatus(let url, let status): "\(url): HTTP status \(status)"
        case .transferFailed(let url, let reason): "\(url): download failed: \(reason)"
        case .truncatedDownload(let url, let received, let expected):
            "\(url): connection closed after \(received) of \(expected) bytes"
        case .sizeMismatch(let url, let path, let expected, let actual):
            "\(url): \(actual) bytes, but the manifest says \(expected) for \(path); nothing written"
        case .checksumMismatch(let url, let path, let expected, let actual):
            "\(url): SHA-256 \(actual), but the manifest says \(expected) for \(path); nothing written"
        case .malformedChapterBreak(let path, let reason): "\(path): not a ChapterBreak file: \(reason)"
        case .unknownSplit(let path, let split):
            "\(path): unknown split '\(split)' (ChapterBreak files have 'pg19' and 'ao3')"
        case .malformedEntry(let path, let split, let workID, let index, let reason):
            "\(path): \(split) work \(workID) entry \(index): \(reason)"
        case .wrongNegativeCount(let path, let split, let workID, let index, let count):
            "\(path): \(split) work \(workID) entry \(index): \(count) negatives, expected exactly 5"
        case .unreadableBook(let path, let reason): "\(path): cannot read the book: \(reason)"
        case .duplicateWorkID(let workID, let paths):
            "\(paths.joined(separator: ", ")): the same work id \(workID) (rename one file)"
        case .noExamples(let books): "no examples: none of the \(books) books has enough detected chapters"
        case .invalidSetting(let setting, let reason): "\(setting): \(reason)"
        case .sampleLargerThanPopulation(let k, let n):
            "sample larger than population (k > n): asked for k = \(k) items from a population of n = \(n)"
        case .negativeSampleSize(let k): "sample size is negative: k = \(k)"
        case .unknownModel(let name):
            "unknown model '\(name)' (known: \(ModelCatalog.models.map(\.name).joined(separator: ", ")))"
        case .commandFailed(let command, let status, let output):
            "`\(command)` failed with status \(status): \(output.split(separator: "\n").last.map(String.init) ?? "")"
        case .missingMember(let archive, let member): "\(archive): has no \(member)"
        case .modelChecksumMismatch(let path, let expected, let actual):
            "\(path): sha256 \(actual), expected \(expected): refusing the file"
        }
    }
}
