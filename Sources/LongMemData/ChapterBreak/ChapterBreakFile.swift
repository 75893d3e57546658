import Foundation
import LongMemTensor

/// A ChapterBreak data file in the official layout:
/// `{"pg19": {work_id: [{"ctx": prefix, "pos": gold suffix, "negs": [5 negative suffixes]}]}, "ao3": {...}}`
/// (SimengSun/ChapterBreak README; the Hugging Face files `chapterbreak_ctx_{N}.json`). The official format has
/// no metadata, so nothing else is read or written.
///
/// Reading validates everything the evaluator relies on and names the split, work id and entry index of the
/// first problem, so a damaged download fails at load time rather than as a crash in the middle of a run.
public struct ChapterBreakFile: Equatable, Sendable {
    /// The two splits of the official files.
    public static let splits = ["pg19", "ao3"]
    /// Negatives per entry.
    public static let negativeCount = 5

    /// split -> work id -> examples. Both splits are always present (possibly empty).
    public private(set) var works: [String: [String: [ChapterBreakExample]]]

    public init(pg19: [String: [ChapterBreakExample]] = [:], ao3: [String: [ChapterBreakExample]] = [:]) {
        works = ["pg19": pg19, "ao3": ao3]
    }

    /// Reads and validates a file.
    public init(contentsOfFile path: String) throws(DataError) {
        let data: Data
        do { data = try RegularFile.read(path) } catch { throw DataError.unreadable(path: path, reason: error.problem) }
        try self.init(data: data, source: path)
    }

    /// Parses and validates JSON; `source` names it in errors.
    public init(data: Data, source: String) throws(DataError) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw DataError.malformedChapterBreak(path: source, reason: "invalid JSON (\(Self.reason(error)))")
        }
        guard let top = object as? [String: Any] else {
            throw DataError.malformedChapterBreak(path: source, reason: "the top level is not an object")
        }
        var works: [String: [String: [ChapterBreakExample]]] = ["pg19": [:], "ao3": [:]]
        for split in top.keys.sorted() {
            guard Self.splits.contains(split) else { throw DataError.unknownSplit(path: source, split: split) }
            guard let byWork = top[split] as? [String: Any] else {
                throw DataError.malformedChapterBreak(path: source, reason: "'\(split)' is not an object of works")
            }
            var parsed: [String: [ChapterBreakExample]] = [:]
            for workID in byWork.keys.sorted() {
                guard let entries = byWork[workID] as? [Any] else {
                    throw DataError.malformedChapterBreak(path: source, reason: "\(split) work \(workID) is not a list")
                }
                var examples: [ChapterBreakExample] = []
                examples.reserveCapacity(entries.count)
                for (index, entry) in entries.enumerated() {
                    examples.append(try Self.example(entry, path: source, split: split, workID: workID, index: index))
                }
                parsed[workID] = examples
            }
            works[split] = parsed
        }
        self.works = works
    }

    private static func example(
        _ entry: Any, path: String, split: String, workID: String, index: Int
    ) throws(DataError) -> ChapterBreakExample {
        func fail(_ reason: String) -> DataError {
            .malformedEntry(path: path, split: split, workID: workID, index: index, reason: reason)
        }
        guard let fields = entry as? [String: Any] else { throw fail("not an object") }
        guard let ctx = fields["ctx"] as? String else { throw fail("'ctx' is missing or not a string") }
        guard let pos = fields["pos"] as? String else { throw fail("'pos' is missing or not a string") }
        guard let negativeValues = fields["negs"] as? [Any] else { throw fail("'negs' is missing or not a list") }
        let negs = negativeValues.compactMap { $0 as? String }
        guard negs.count == negativeValues.count else { throw fail("'negs' holds a value that is not a string") }
        guard negs.count == negativeCount else {
            throw DataError.wrongNegativeCount(
                path: path, split: split, workID: workID, index: index, count: negs.count)
        }
        return ChapterBreakExample(ctx: ctx, pos: pos, negs: negs)
    }

    /// The examples of one split in a stable order (work ids sorted, entries in file order), with their ids.
    public func examples(
        in split: String
    ) throws(DataError) -> [(workID: String, index: Int, example: ChapterBreakExample)] {
        guard let byWork = works[split] else {
            throw DataError.unknownSplit(path: "ChapterBreak file", split: split)
        }
        return byWork.keys.sorted().flatMap { workID in
            byWork[workID, default: []].enumerated().map { (workID: workID, index: $0.offset, example: $0.element) }
        }
    }

    /// Examples over both splits.
    public var exampleCount: Int { works.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }

    /// Sets the examples of one work.
    public mutating func set(_ examples: [ChapterBreakExample], workID: String, split: String) throws(DataError) {
        guard Self.splits.contains(split) else {
            throw DataError.unknownSplit(path: "ChapterBreak file", split: split)
        }
        works[split, default: [:]][workID] = examples
    }

    /// The official layout as JSON, keys sorted so that the same examples always give the same bytes.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding dictionaries of strings and string arrays cannot fail.
        return (try? encoder.encode(works)) ?? Data("{}".utf8)
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public func write(to path: String) throws(DataError) {
        try Self.write(encoded(), to: path)
    }

    /// `AtomicFile.write`, its failure told as this layer's error.
    static func write(_ data: Data, to path: String) throws(DataError) {
        do { try AtomicFile.write(data, to: path) } catch {
            guard case .unwritable(_, let reason) = error else { throw .unwritable(path: path, reason: "\(error)") }
            throw .unwritable(path: path, reason: reason)
        }
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }
}
