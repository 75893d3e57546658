/// Errors of reading, building and writing ChapterBreak files. Each message is one line that starts with the
/// file (and, inside a file, the split, work id and entry index) that is wrong.
public enum ChapterBreakError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    /// Not JSON, or not the official layout at the top level or for a work.
    case malformed(path: String, reason: String)
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
    case unwritable(path: String, reason: String)
    case invalidOption(option: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .malformed(let path, let reason): return "\(path): not a ChapterBreak file: \(reason)"
        case .unknownSplit(let path, let split):
            return "\(path): unknown split '\(split)' (ChapterBreak files have 'pg19' and 'ao3')"
        case .malformedEntry(let path, let split, let workID, let index, let reason):
            return "\(path): \(split) work \(workID) entry \(index): \(reason)"
        case .wrongNegativeCount(let path, let split, let workID, let index, let count):
            return "\(path): \(split) work \(workID) entry \(index): \(count) negatives, expected exactly 5"
        case .unreadableBook(let path, let reason): return "\(path): cannot read the book: \(reason)"
        case .duplicateWorkID(let workID, let paths):
            return "\(paths.joined(separator: ", ")): the same work id \(workID) (rename one file)"
        case .noExamples(let books):
            return "no examples: none of the \(books) books has enough detected chapters"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .invalidOption(let option, let reason): return "\(option): \(reason)"
        }
    }
}
