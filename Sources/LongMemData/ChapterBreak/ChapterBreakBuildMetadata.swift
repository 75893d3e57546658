/// The sidecar of a rebuilt ChapterBreak file (`F.json.meta.json`): everything the official layout has no room
/// for. It records how the file was made (tool version, seed, rules), what was found in every book, and where
/// every example comes from, so that the set can be audited and rebuilt identically.
public struct ChapterBreakBuildMetadata: Codable, Equatable, Sendable {
    public struct Chapter: Codable, Equatable, Sendable {
        public let number: Int
        public let heading: String
        /// 1-based line of the heading in the stripped text.
        public let line: Int
        public let words: Int
        public let part: String?
    }

    public struct Book: Codable, Equatable, Sendable {
        public let path: String
        public let workID: String
        public let sha256: String
        /// Whether PG's START / END markers were found and the text between them used.
        public let startMarker: Bool
        public let endMarker: Bool
        public let headingStyle: String?
        public let chapters: [Chapter]
        public let parts: [String]
        /// Heading candidates not counted, as `line N: HEADING: reason`.
        public let droppedHeadings: [String]
        public let notes: [String]
        public let skipped: Bool
        public let skipReason: String?
        public let examples: Int
    }

    public struct Example: Codable, Equatable, Sendable {
        public let workID: String
        /// The entry's index in its work's list.
        public let index: Int
        /// The break follows this chapter (1-based); the gold is the next one.
        public let breakAfterChapter: Int
        public let goldChapter: Int
        public let negativeChapters: [Int]
        /// UTF-8 bytes of the prefix.
        public let prefixBytes: Int
        public let prefixWords: Int
    }

    public let name: String
    /// Always false: this is not the official ChapterBreak.
    public let official: Bool
    public let tool: String
    public let toolVersion: String
    /// The split of the official layout that holds the examples.
    public let split: String
    public let seed: UInt64
    /// The prefix lengths (tokens) the set is meant for; the prefixes themselves are untruncated.
    public let prefixLengths: [Int]
    public let suffixWords: Int
    public let negatives: Int
    public let minimumChapters: Int
    public let negativeSampling: String
    public let books: [Book]
    public let skippedBooks: Int
    public let exampleCount: Int
    public let examples: [Example]
}
