/// One evaluation family (ChapterBreak, perplexity, ICL): an introduction, then tables and charts in order.
public struct ReportSection: Sendable, Equatable {
    public enum Block: Sendable, Equatable {
        case table(ReportTable)
        case chart(Chart)
    }

    public var id: String
    public var title: String
    public var introduction: String
    public var blocks: [Block]

    public init(id: String, title: String, introduction: String, blocks: [Block]) {
        self.id = id
        self.title = title
        self.introduction = introduction
        self.blocks = blocks
    }
}
