import Foundation

/// Builds ChapterBreak examples in the official layout from Project Gutenberg books.
///
/// The official ChapterBreak data cannot be downloaded here, so the harness rebuilds the task from books it
/// has: "ChapterBreak-PG (rebuilt)". For every book: strip PG's header and footer (`GutenbergText`), detect
/// the chapters (`ChapterDetector`), and make one example per break between two chapters:
/// - `ctx`: the whole book text before the break, untruncated (the evaluator left-truncates it to its
///   4k / 6k / 8k-token budget), ending with the previous chapter's last words;
/// - `pos`: the first `suffixWords` words of the next chapter, its heading excluded;
/// - `negs`: the beginnings of five other chapters of the same book. They come from chapters after the
///   break when at least five follow (those are not in the prefix, as in the official data), else all the
///   later chapters plus earlier ones to make five. Chapters whose beginning equals the gold's are never used.
/// The draws are CPython's: per book `random.seed(seed)`, then for each break in order
/// `random.sample(later, 5)`, or `random.sample(earlier, 5 - len(later))` (`PythonRandom`), so a seed gives
/// the same file everywhere. Books with fewer than `minimumChapters` chapters are skipped and reported.
public struct ChapterBreakBuilder: Sendable {
    /// Written into the sidecar; bump it when the output for the same inputs changes.
    public static let toolVersion = "1"
    public static let datasetName = "ChapterBreak-PG (rebuilt)"
    /// The official layout's split that holds examples from Project Gutenberg books.
    public static let split = "pg19"

    public var seed: UInt64
    /// Recorded in the sidecar only.
    public var prefixLengths: [Int]
    public var suffixWords: Int
    public var minimumChapters: Int
    public var detector: ChapterDetector

    public init(
        seed: UInt64, prefixLengths: [Int] = [4096, 6144, 8192], suffixWords: Int = 150, minimumChapters: Int = 6,
        detector: ChapterDetector = ChapterDetector()
    ) {
        self.seed = seed
        self.prefixLengths = prefixLengths
        self.suffixWords = suffixWords
        self.minimumChapters = minimumChapters
        self.detector = detector
    }

    /// Builds from book files. Work ids come from the file names (`pg64317.txt` and `64317-0.txt` -> `64317`).
    public func build(books paths: [String]) throws(DataError) -> ChapterBreakBuild {
        guard minimumChapters > ChapterBreakFile.negativeCount else {
            throw DataError.invalidSetting(
                setting: "minimum chapters", reason: "\(minimumChapters) leaves fewer than 5 other chapters")
        }
        guard suffixWords > 0 else {
            throw DataError.invalidSetting(setting: "suffix words", reason: "\(suffixWords) must be positive")
        }
        var pathsByWork: [String: [String]] = [:]
        for path in paths { pathsByWork[Self.workID(forFile: path), default: []].append(path) }
        if let (workID, duplicates) = pathsByWork.first(where: { $0.value.count > 1 }) {
            throw DataError.duplicateWorkID(workID: workID, paths: duplicates)
        }
        var file = ChapterBreakFile()
        var books: [ChapterBreakBuildMetadata.Book] = []
        var records: [ChapterBreakBuildMetadata.Example] = []
        for path in paths {
            let workID = Self.workID(forFile: path)
            let text: GutenbergText
            do { text = try GutenbergText(contentsOfFile: path) } catch {
                throw DataError.unreadableBook(path: path, reason: Self.reason(error, path: path))
            }
            let sha256: String
            do { sha256 = try FileHash.sha256(path: path) } catch {
                throw DataError.unreadableBook(path: path, reason: Self.reason(error, path: path))
            }
            let chapters = detector.detect(in: text.body)
            var made: [(ChapterBreakExample, ChapterBreakBuildMetadata.Example)] = []
            var skipReason: String?
            if chapters.chapters.isEmpty {
                skipReason = "no chapters detected"
            } else if chapters.chapters.count < minimumChapters {
                skipReason = "\(chapters.chapters.count) chapters detected, fewer than \(minimumChapters)"
            } else {
                made = examples(from: chapters, workID: workID)
                if made.isEmpty { skipReason = "no break has five distinct other chapter beginnings" }
            }
            if !made.isEmpty { try file.set(made.map(\.0), workID: workID, split: Self.split) }
            records += made.map(\.1)
            books.append(
                ChapterBreakBuildMetadata.Book(
                    path: path, workID: workID, sha256: sha256, startMarker: text.startMarker != nil,
                    endMarker: text.endMarker != nil, headingStyle: chapters.style?.rawValue,
                    chapters: chapters.chapters.enumerated().map { number, chapter in
                        .init(
                            number: number + 1, heading: chapter.heading, line: chapter.headingLine + 1,
                            words: chapter.words, part: chapter.part)
                    },
                    parts: chapters.parts,
                    droppedHeadings: chapters.dropped.map { "line \($0.line + 1): \($0.heading): \($0.reason)" },
                    notes: chapters.notes, skipped: skipReason != nil, skipReason: skipReason, examples: made.count))
        }
        guard !records.isEmpty else { throw DataError.noExamples(books: paths.count) }
        let metadata = ChapterBreakBuildMetadata(
            name: Self.datasetName, official: false, tool: "longmem-eval datasets build-chapterbreak",
            toolVersion: Self.toolVersion, split: Self.split, seed: seed, prefixLengths: prefixLengths,
            suffixWords: suffixWords, negatives: ChapterBreakFile.negativeCount, minimumChapters: minimumChapters,
            negativeSampling: "per book: random.seed(seed) (CPython); for each break in order: "
                + "random.sample(later chapters, 5) when at least 5 follow the gold, else all later chapters "
                + "+ random.sample(earlier chapters, 5 - len(later)); chapters whose beginning equals the gold's excluded",
            books: books, skippedBooks: books.filter(\.skipped).count, exampleCount: records.count, examples: records)
        return ChapterBreakBuild(file: file, metadata: metadata)
    }

    /// One example per break between two chapters, in order.
    func examples(
        from book: BookChapters, workID: String
    ) -> [(ChapterBreakExample, ChapterBreakBuildMetadata.Example)] {
        let beginnings = book.chapters.indices.map { book.beginning(of: $0, words: suffixWords) }
        var random = PythonRandom(seed: seed)
        var made: [(ChapterBreakExample, ChapterBreakBuildMetadata.Example)] = []
        for gold in 1..<book.chapters.count {
            // Distinct beginnings only, none equal to the gold's.
            var seen: Set<String> = [beginnings[gold]]
            let later = ((gold + 1)..<book.chapters.count).filter { seen.insert(beginnings[$0]).inserted }
            let earlier = (0..<gold).filter { seen.insert(beginnings[$0]).inserted }
            let count = ChapterBreakFile.negativeCount
            let picks: [Int]
            do {
                if later.count >= count {
                    picks = try random.sample(later, k: count)
                } else if later.count + earlier.count >= count {
                    picks = later + (try random.sample(earlier, k: count - later.count))
                } else {
                    continue
                }
            } catch {
                continue  // unreachable: the sizes are checked above
            }
            let ctx = book.prefix(before: gold)
            let example = ChapterBreakExample(ctx: ctx, pos: beginnings[gold], negs: picks.map { beginnings[$0] })
            let record = ChapterBreakBuildMetadata.Example(
                workID: workID, index: made.count, breakAfterChapter: gold, goldChapter: gold + 1,
                negativeChapters: picks.map { $0 + 1 }, prefixBytes: ctx.utf8.count,
                prefixWords: book.prefixWordCount(before: gold))
            made.append((example, record))
        }
        return made
    }

    /// The work id of a book file: the first run of digits in its name (`pg64317.txt` -> `64317`,
    /// `244-0.txt` -> `244`), else the name without its extension.
    public static func workID(forFile path: String) -> String {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let digits = name.drop(while: { !$0.isNumber }).prefix(while: \.isNumber)
        return digits.isEmpty ? name : String(digits)
    }

    /// An error's message without a leading "path: " (the caller names the path).
    static func reason(_ error: Error, path: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
