/// A published fact that is not a single number in a cell ("1.38 to 1.62 lower in every bucket"); reports
/// print it under the tables of its topic.
public struct ReferenceStatement: Codable, Sendable, Equatable {
    /// "chapterbreak", "perplexity" or "icl".
    public var topic: String
    public var text: String
    public var status: ReferenceStatus
}
