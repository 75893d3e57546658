import LongMemModels
import LongMemTensor

/// The keys and values of one execution block's attention, as InfLLM lays them out (docs/INFLLM.md,
/// "One execution block"): the local slice (the `previous` tokens before the block, then the block) and
/// the global part (retrieved units, initial tokens, old remainder). Rows of `keyWidth` = kvHeads * D.
struct ExecutionBlockKeys {
    /// (previous + block rows, keyWidth), rotated at their index in the slice for rotary backbones.
    var localKeys: UnsafePointer<Float>
    var localValues: UnsafePointer<Float>
    var previous: Int
    /// (globalCount, keyWidth), unrotated (position 0).
    var globalKeys: UnsafePointer<Float>
    var globalValues: UnsafePointer<Float>
    var globalCount: Int
}

/// One softmax over an execution block's local and global logits (InfLLM's `torch_impl.py`):
/// query i of the block sees the local keys at distances 0 ..< `localWindow` (itself included) and every
/// global key. The output is p_local v_local + p_global v_global; `localScores` (heads, local keys)
/// receives the probability mass each local key got, summed over the block's queries.
///
/// Work items are (key head, block of query rows): the query heads that share a key head are stacked
/// into one matrix, so each product packs the keys once for all of them.
enum InfLLMAttention {
    static let blockRows = 128

    /// `localQueries` are rotated at their slice positions, `globalQueries` at `localWindow - 1` (both
    /// (rows, heads * D)); ALiBi backbones give local keys the bias of their distance and global keys that
    /// of `localWindow - 1`.
    static func attend(
        localQueries: UnsafePointer<Float>, globalQueries: UnsafePointer<Float>, rows: Int, keys: ExecutionBlockKeys,
        localWindow: Int, geometry: AttentionGeometry, output: UnsafeMutablePointer<Float>, outputStride: Int,
        localScores: UnsafeMutablePointer<Float>, scratch: ScratchSpace
    ) {
        let heads = geometry.heads, dim = geometry.headDim, queryWidth = geometry.queryWidth
        let keyWidth = geometry.keyWidth, group = heads / geometry.kvHeads
        let localCount = keys.previous + rows, globalCount = keys.globalCount
        let widest = min(localCount, localWindow + blockRows) + globalCount
        let blocks = (rows + blockRows - 1) / blockRows, items = geometry.kvHeads * blocks
        // Per item: scores (group * B, widest), stacked queries (2 * group * B, D), outputs (group * B, D),
        // and the local keys' summed probabilities (group, localWindow + B).
        let stackedRows = group * blockRows, sumWidth = localWindow + blockRows
        let itemSize = stackedRows * (widest + 3 * dim) + group * sumWidth
        let buffer = scratch.tensor(.attentionScores, [items * itemSize])
        Parallel.forEach(items) { item in
            let kvHead = item / blocks, start = (item % blocks) * blockRows, count = min(blockRows, rows - start)
            let base = buffer.data + item * itemSize
            let scores = base, local = base + stackedRows * widest, global = local + stackedRows * dim
            let out = global + stackedRows * dim, sums = out + stackedRows * dim
            let stacked = group * count
            // Local keys these queries can see: [first, end) of the slice.
            let first = max(0, keys.previous + start - localWindow + 1), end = keys.previous + start + count
            let localWidth = end - first, total = localWidth + globalCount
            for member in 0..<group {
                let column = (kvHead * group + member) * dim
                for row in 0..<count {
                    (local + (member * count + row) * dim).update(
                        from: localQueries + (start + row) * queryWidth + column, count: dim)
                    (global + (member * count + row) * dim).update(
                        from: globalQueries + (start + row) * queryWidth + column, count: dim)
                }
            }
            BLAS.sgemm(
                transposeB: true, m: stacked, n: localWidth, k: dim, alpha: geometry.scale, a: local, lda: dim,
                b: keys.localKeys + first * keyWidth + kvHead * dim, ldb: keyWidth, c: scores, ldc: total)
            BLAS.sgemm(
                transposeB: true, m: stacked, n: globalCount, k: dim, alpha: geometry.scale, a: global, lda: dim,
                b: keys.globalKeys + kvHead * dim, ldb: keyWidth, c: scores + localWidth, ldc: total)
            sums.update(repeating: 0, count: group * localWidth)
            for member in 0..<group {
                let slope = geometry.alibiSlopes?[kvHead * group + member] ?? 0
                let memberSums = sums + member * localWidth
                for row in 0..<count {
                    let line = scores + (member * count + row) * total, position = keys.previous + start + row
                    // Visible local columns: distance position - (first + c) in 0 ..< localWindow.
                    let low = max(0, position - localWindow + 1) - first, high = position - first
                    for c in 0..<low { line[c] = -.infinity }
                    for c in (high + 1)..<localWidth { line[c] = -.infinity }
                    if slope != 0 {
                        for c in low...high { line[c] -= slope * Float(high - c) }
                        for c in localWidth..<total { line[c] -= slope * Float(localWindow - 1) }
                    }
                    Softmax.normalize(line, count: total)
                    for c in low...high { memberSums[c] += line[c] }
                }
            }
            BLAS.sgemm(
                m: stacked, n: dim, k: localWidth, a: scores, lda: total,
                b: keys.localValues + first * keyWidth + kvHead * dim, ldb: keyWidth, c: out, ldc: dim)
            if globalCount > 0 {
                BLAS.sgemm(
                    m: stacked, n: dim, k: globalCount, a: scores + localWidth, lda: total,
                    b: keys.globalValues + kvHead * dim, ldb: keyWidth, beta: 1, c: out, ldc: dim)
            }
            for member in 0..<group {
                let column = (kvHead * group + member) * dim
                for row in 0..<count {
                    (output + (start + row) * outputStride + column).update(
                        from: out + (member * count + row) * dim, count: dim)
                }
            }
        }
        // Each item's sums, added in row-block order (the same order whatever the thread count).
        localScores.update(repeating: 0, count: heads * localCount)
        for item in 0..<items {
            let kvHead = item / blocks, start = (item % blocks) * blockRows, count = min(blockRows, rows - start)
            let first = max(0, keys.previous + start - localWindow + 1),
                localWidth = keys.previous + start + count - first
            let sums = buffer.data + item * itemSize + stackedRows * (widest + 3 * dim)
            for member in 0..<group {
                let target = localScores + (kvHead * group + member) * localCount + first
                let source = sums + member * localWidth
                for c in 0..<localWidth { target[c] += source[c] }
            }
        }
    }
}
