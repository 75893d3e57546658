/// One ChapterBreak item: a prefix that ends at a chapter break, the true beginning of the next chapter, and
/// five beginnings of other chapters of the same work. Field names are the official file's.
public struct ChapterBreakExample: Codable, Equatable, Sendable {
    /// The prefix (the evaluator truncates it from the left to the model's budget).
    public let ctx: String
    /// The gold suffix.
    public let pos: String
    /// The negative suffixes (exactly five in a valid file).
    public let negs: [String]

    public init(ctx: String, pos: String, negs: [String]) {
        self.ctx = ctx
        self.pos = pos
        self.negs = negs
    }
}
