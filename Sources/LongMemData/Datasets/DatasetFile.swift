/// One file of the data directory as the manifest describes it.
public struct DatasetFile: Codable, Equatable, Sendable {
    /// Where a file was copied from: a git blob at a commit, or a Hugging Face dataset file.
    public struct Source: Codable, Equatable, Sendable {
        public let repository: String
        public let commit: String
        public let path: String
    }

    /// Path relative to the data directory, with `/` separators.
    public let path: String
    /// The dataset it belongs to (`icl/sst2`, `longtext/pg22`, `chapterbreak`, ...).
    public let dataset: String
    /// Size in bytes; nil when no trustworthy size is published (the official ChapterBreak files).
    public let bytes: Int?
    /// Lower-case hex SHA-256; nil when no checksum is published: such a file can only be "present".
    public let sha256: String?
    /// The canonical public URL; nil for documents written by whoever collected the data directory.
    public let url: String?
    public let source: Source?
    public let note: String?

    public init(
        path: String, dataset: String, bytes: Int?, sha256: String?, url: String?, source: Source? = nil,
        note: String? = nil
    ) {
        self.path = path
        self.dataset = dataset
        self.bytes = bytes
        self.sha256 = sha256
        self.url = url
        self.source = source
        self.note = note
    }

    /// Whether a present copy can be checked against a published checksum.
    public var isVerifiable: Bool { sha256 != nil }
}
