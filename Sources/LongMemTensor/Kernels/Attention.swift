import Foundation

/// One causal sequence of a packed batch: its queries attend to its own keys only.
public struct AttentionSpan: Sendable, Equatable {
    /// First query row of the sequence in the query and output matrices.
    public var queryStart: Int
    public var queryCount: Int
    /// First key row of the sequence in the key and value matrices.
    public var keyStart: Int
    /// Keys before the first query (a KV cache); query i sees keys 0 ... pastCount + i.
    public var pastCount: Int

    public init(queryStart: Int, queryCount: Int, keyStart: Int, pastCount: Int = 0) {
        self.queryStart = queryStart
        self.queryCount = queryCount
        self.keyStart = keyStart
        self.pastCount = pastCount
    }

    /// Spans for sequences packed back to back (no cache): keys and queries share rows.
    public static func packed(lengths: [Int]) -> [AttentionSpan] {
        var start = 0
        return lengths.map { length in
            defer { start += length }
            return AttentionSpan(queryStart: start, queryCount: length, keyStart: start)
        }
    }
}

/// ALiBi slopes (Press et al.), as BLOOM / LongMem's `build_alibi_tensor`: a geometric sequence
/// 2^(-8/n * (h+1)) for the largest power of two n <= heads, then the odd powers of the next base.
public func alibiSlopes(heads: Int) -> [Float] {
    let power = 1 << Int(floor(log2(Double(heads))))
    let base = pow(2.0, -pow(2.0, -(log2(Double(power)) - 3)))
    var slopes = (1...power).map { Float(pow(base, Double($0))) }
    if power != heads {
        let extraBase = pow(2.0, -pow(2.0, -(log2(Double(2 * power)) - 3)))
        let remaining = min(power, heads - power)
        slopes += stride(from: 1, to: 1 + 2 * remaining, by: 2).map { Float(pow(extraBase, Double($0))) }
    }
    return slopes
}

/// Causal multi-head attention over row-major activations:
/// out_h = softmax(scale * q_h k_h^T + bias + causal mask) v_h for each head h.
///
/// Heads are column slices of the (rows, heads * D) matrices, addressed with row strides, so the
/// fused QKV projection output is used in place. Grouped-query attention maps query head h to key
/// head h / (heads / kvHeads). The ALiBi bias is applied in its relative form -slope * (i - j),
/// which equals LongMem's key-index form slope * j up to a per-row constant that softmax removes.
/// Rows are processed in blocks so that a block only multiplies the keys it can see; heads (and
/// sequences) run in parallel. `logSumExp`, when given, receives each (query row, head)'s softmax
/// normaliser (rows, heads), with the bias in the relative form, for fusing with other softmaxes.
public enum Attention {
    static let blockRows = 128

    public static func causal(
        query: UnsafePointer<Float>, queryStride: Int,
        key: UnsafePointer<Float>, keyStride: Int,
        value: UnsafePointer<Float>, valueStride: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int,
        heads: Int, kvHeads: Int, headDim: Int, scale: Float,
        alibiSlopes slopes: [Float]? = nil,
        spans: [AttentionSpan], scratch: ScratchSpace? = nil, logSumExp: UnsafeMutablePointer<Float>? = nil
    ) {
        precondition(heads % kvHeads == 0, "heads \(heads) not a multiple of kv heads \(kvHeads)")
        let group = heads / kvHeads
        let work = spans.reduce(0) { $0 + $1.queryCount * ($1.pastCount + $1.queryCount) } * heads
        let items = spans.count * heads
        // One score block per work item, all from one buffer: (items, blockRows, longest span).
        let longest = spans.map { $0.pastCount + $0.queryCount }.max() ?? 0
        let itemScores = blockRows * longest
        let buffer = (scratch ?? ScratchSpace()).tensor(.attentionScores, [items * itemScores])
        let body = { (item: Int) in
            let span = spans[item / heads], head = item % heads
            guard span.queryCount > 0 else { return }
            let kvHead = head / group
            let scores = buffer.data + item * itemScores
            let q = query + span.queryStart * queryStride + head * headDim
            let k = key + span.keyStart * keyStride + kvHead * headDim
            let v = value + span.keyStart * valueStride + kvHead * headDim
            let o = output + span.queryStart * outputStride + head * headDim
            let slope = slopes?[head] ?? 0
            var blockStart = 0
            while blockStart < span.queryCount {
                let blockCount = min(blockRows, span.queryCount - blockStart)
                let visible = span.pastCount + blockStart + blockCount
                // (B, D) x (visible, D)^T -> (B, visible)
                BLAS.sgemm(
                    transposeB: true, m: blockCount, n: visible, k: headDim,
                    alpha: scale, a: q + blockStart * queryStride, lda: queryStride,
                    b: k, ldb: keyStride, c: scores, ldc: visible)
                for row in 0..<blockCount {
                    let position = span.pastCount + blockStart + row
                    let rowScores = scores + row * visible
                    let normaliser = Softmax.normalize(rowScores, count: position + 1, alibiSlope: slope)
                    logSumExp?[(span.queryStart + blockStart + row) * heads + head] = normaliser
                    (rowScores + position + 1).update(repeating: 0, count: visible - position - 1)
                }
                // (B, visible) x (visible, D) -> (B, D)
                BLAS.sgemm(
                    m: blockCount, n: headDim, k: visible,
                    a: scores, lda: visible, b: v, ldb: valueStride,
                    c: o + blockStart * outputStride, ldc: outputStride)
                blockStart += blockCount
            }
        }
        // Single-token decoding is too little work to be worth a thread hand-off.
        if work < 65_536 {
            for item in 0..<items { body(item) }
        } else {
            Parallel.forEach(items, body)
        }
    }
}
