import LongMemModels
import LongMemTensor

/// Feeds a long token stream to a memory-augmented model in segments of its local window: each segment
/// is read with the memory of the earlier ones, then written to memory.
public struct SegmentDriver {
    public let model: MemoryAugmentedModel
    public let segmentLength: Int

    public init(model: MemoryAugmentedModel, segmentLength: Int? = nil) throws {
        let window = model.descriptor.contextLength
        let length = segmentLength ?? window
        guard length >= 1, length <= window else {
            throw RuntimeError.invalidSetting(
                .segmentLength, detail: "\(length) is outside 1...\(window) (the model's local window)")
        }
        self.model = model
        self.segmentLength = length
    }

    /// The segments of `tokens`, in order: the one place a stream is cut. The last may be shorter, or is
    /// dropped without `keepPartial` (LongMem's ICL script keeps whole segments only).
    public func segments<Tokens: Collection<Int>>(
        of tokens: Tokens, keepPartial: Bool = true
    ) -> [Tokens.SubSequence] where Tokens.Index == Int {
        let end = keepPartial ? tokens.endIndex : tokens.startIndex + tokens.count / segmentLength * segmentLength
        return stride(from: tokens.startIndex, to: end, by: segmentLength).map {
            tokens[$0..<min($0 + segmentLength, end)]
        }
    }

    /// Resets the memory, then runs every segment of `tokens`, handing each one's hidden states (T, C) and
    /// the memory counters after its write to `body`. `remember` false for a segment keeps it out of memory.
    public func run(
        _ tokens: [Int], remember: (Int) -> Bool = { _ in true },
        _ body: (_ index: Int, _ segment: ArraySlice<Int>, _ hidden: Tensor, _ statistics: MemoryStatistics) throws ->
            Void
    ) throws {
        try run(segments: segments(of: tokens), remember: remember, body)
    }

    /// As `run(_:remember:_:)`, over segments cut by the caller (each at most the local window).
    public func run(
        segments: [ArraySlice<Int>], remember: (Int) -> Bool = { _ in true },
        _ body: (_ index: Int, _ segment: ArraySlice<Int>, _ hidden: Tensor, _ statistics: MemoryStatistics) throws ->
            Void
    ) throws {
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else { throw RuntimeError.emptyStream }
        model.resetMemory()
        for (index, segment) in segments.enumerated() {
            let hidden = try model.forwardSegment(Array(segment), remember: remember(index))
            try body(index, segment, hidden, model.memoryStatistics)
        }
    }

    /// Resets the memory, then writes every segment to it without computing hidden states: a memory fill,
    /// which leaves memory as `run(segments:)` would.
    public func write(segments: [ArraySlice<Int>]) throws {
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else { throw RuntimeError.emptyStream }
        model.resetMemory()
        for segment in segments { try model.writeSegment(Array(segment)) }
    }
}
