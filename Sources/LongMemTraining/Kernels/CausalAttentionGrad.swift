// Legend: T tokens, H query heads, K key/value heads, D head size.
import CLongMemKernels
import Foundation
import LongMemTensor

/// Causal multi-head attention of one sequence, softmax(scale q k^T + bias) v, with grouped-query heads
/// (query head h reads key head h / (H / K)) and optional ALiBi (bias slope_h * (j - i), equal under the
/// softmax to the backbone's slope_h * j), keeping the probabilities for the backward pass.
struct CausalAttentionGrad {
    let heads: Int, kvHeads: Int, headDim: Int
    let scale: Float
    let alibiSlopes: [Float]?

    var group: Int { heads / kvHeads }

    /// Query rows in blocks of 128.
    static func rowBlocks(_ tokens: Int) -> [Range<Int>] {
        stride(from: 0, to: tokens, by: 128).map { $0..<min($0 + 128, tokens) }
    }

    /// q (T, H D), k and v (T, K D) -> out (T, H D); returns the probabilities (H, T, T), in `reusing` when
    /// it has that shape (zero above the diagonal, so the masked part is never written: no page is touched
    /// again, which at T = 1,024 costs more than the softmax).
    func forward(
        query q: Tensor, key k: Tensor, value v: Tensor, into out: Tensor, reusing: Tensor? = nil
    ) -> Tensor {
        let tokens = q.rows, d = headDim
        let probabilities =
            reusing.flatMap { $0.shape == [heads, tokens, tokens] ? $0 : nil }
            ?? Tensor(zeros: [heads, tokens, tokens])
        Parallel.forEach(heads) { h in
            let p = probabilities.data + h * tokens * tokens, g = h / group
            let slope = alibiSlopes?[h]
            // Row blocks see only the keys up to their last row: half the square's work.
            for rows in Self.rowBlocks(tokens) {
                let keys = rows.upperBound, block = p + rows.lowerBound * tokens
                BLAS.sgemm(
                    transposeB: true, m: rows.count, n: keys, k: d, alpha: scale,
                    a: q.data + rows.lowerBound * q.columns + h * d, lda: q.columns, b: k.data + g * d, ldb: k.columns,
                    c: block, ldc: tokens)
                for i in rows {
                    let row = p + i * tokens
                    lm_alibi_softmax(row, Int64(i + 1), slope ?? 0)
                    for j in (i + 1)..<keys { row[j] = 0 }
                }
                BLAS.sgemm(
                    m: rows.count, n: d, k: keys, a: block, lda: tokens, b: v.data + g * d, ldb: v.columns,
                    c: out.data + rows.lowerBound * out.columns + h * d, ldc: out.columns)
            }
        }
        return probabilities
    }

    /// From dOut (T, H D): dq (T, H D) overwritten, dk and dv (T, K D) overwritten. `scratch` (H, T, T),
    /// when given, holds the score gradients (else a fresh buffer does).
    func backward(
        _ dOut: Tensor, query q: Tensor, key k: Tensor, value v: Tensor, probabilities: Tensor,
        queryGradient dq: Tensor, keyGradient dk: Tensor, valueGradient dv: Tensor, scratch: Tensor? = nil
    ) {
        let tokens = q.rows, d = headDim
        let scores =
            scratch.flatMap { $0.shape == [heads, tokens, tokens] ? $0 : nil }
            ?? Tensor(uninitialized: [heads, tokens, tokens])
        // Per query head, then summed over each group (heads of a group run in parallel).
        let headKeys = Tensor(zeros: [heads, tokens, d]), headValues = Tensor(zeros: [heads, tokens, d])
        Parallel.forEach(heads) { h in
            let p = probabilities.data + h * tokens * tokens, g = h / group
            let ds = scores.data + h * tokens * tokens
            let headKey = headKeys.data + h * tokens * d, headValue = headValues.data + h * tokens * d
            for rows in Self.rowBlocks(tokens) {
                let keys = rows.upperBound, start = rows.lowerBound
                let dO = dOut.data + start * dOut.columns + h * d, block = ds + start * tokens
                // dP = dO V^T, then dS = P (dP - rowsum(P dP)).
                BLAS.sgemm(
                    transposeB: true, m: rows.count, n: keys, k: d, a: dO, lda: dOut.columns, b: v.data + g * d,
                    ldb: v.columns, c: block, ldc: tokens)
                for i in rows {
                    let row = ds + i * tokens
                    lm_softmax_backward(p + i * tokens, row, Int64(i + 1))
                    for j in (i + 1)..<keys { row[j] = 0 }
                }
                BLAS.sgemm(
                    m: rows.count, n: d, k: keys, alpha: scale, a: block, lda: tokens, b: k.data + g * d,
                    ldb: k.columns, c: dq.data + start * dq.columns + h * d, ldc: dq.columns)
                BLAS.sgemm(
                    transposeA: true, m: keys, n: d, k: rows.count, alpha: scale, a: block, lda: tokens,
                    b: q.data + start * q.columns + h * d, ldb: q.columns, beta: 1, c: headKey, ldc: d)
                BLAS.sgemm(
                    transposeA: true, m: keys, n: d, k: rows.count, a: p + start * tokens, lda: tokens, b: dO,
                    ldb: dOut.columns, beta: 1, c: headValue, ldc: d)
            }
        }
        dk.fill(0)
        dv.fill(0)
        for h in 0..<heads {
            let g = h / group
            for t in 0..<tokens {
                let key = dk.row(t) + g * d, value = dv.row(t) + g * d
                let hk = headKeys.data + (h * tokens + t) * d, hv = headValues.data + (h * tokens + t) * d
                for i in 0..<d {
                    key[i] += hk[i]
                    value[i] += hv[i]
                }
            }
        }
    }
}
