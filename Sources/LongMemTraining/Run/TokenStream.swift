/// Documents concatenated into one token stream cut into segments (fairseq's `--sample-break-mode none`):
/// segment s reads tokens [sT, sT + T) and predicts [sT + 1, sT + T + 1).
public struct TokenStream: Sendable {
    public let tokens: [Int]
    public let segmentLength: Int

    /// `separator` (the tokenizer's end-of-text token, if it has one) goes between documents.
    public init(documents: [[Int]], separator: Int?, segmentLength: Int) {
        var tokens: [Int] = []
        for (index, document) in documents.enumerated() {
            if index > 0, let separator { tokens.append(separator) }
            tokens += document
        }
        self.tokens = tokens
        self.segmentLength = segmentLength
    }

    /// Whole segments (each needs one token past its end as the last target).
    public var segmentCount: Int { max(0, (tokens.count - 1) / segmentLength) }

    public func inputs(_ segment: Int) -> [Int] {
        Array(tokens[(segment * segmentLength)..<((segment + 1) * segmentLength)])
    }

    public func targets(_ segment: Int) -> [Int] {
        Array(tokens[(segment * segmentLength + 1)..<((segment + 1) * segmentLength + 1)])
    }
}
