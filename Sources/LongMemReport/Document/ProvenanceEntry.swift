/// Where one run's numbers came from: enough to rerun it and to tell whether two runs are comparable.
public struct ProvenanceEntry: Sendable, Equatable {
    /// Anchor that table rows link to ("run-2").
    public var anchor: String
    /// "Run 2: LongMem on chapterbreak".
    public var title: String
    /// (field, value) pairs in a fixed order: source file, model and weights hash, protocol, options, data
    /// files and their hashes, git revision, toolchain, threads, times, tokens, memory counters.
    public var fields: [Field]

    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        /// Hashes and paths are printed in a monospace font and may break anywhere.
        public var isCode: Bool

        public init(name: String, value: String, isCode: Bool = false) {
            self.name = name
            self.value = value
            self.isCode = isCode
        }
    }

    public init(anchor: String, title: String, fields: [Field]) {
        self.anchor = anchor
        self.title = title
        self.fields = fields
    }
}
