// Legend: T tokens, H query heads, K key/value heads, D head size.
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

    /// q (T, H D), k and v (T, K D) -> out (T, H D); returns the probabilities (H, T, T).
    func forward(query q: Tensor, key k: Tensor, value v: Tensor, into out: Tensor) -> Tensor {
        let tokens = q.rows, d = headDim
        let probabilities = Tensor(zeros: [heads, tokens, tokens])
        Parallel.forEach(heads) { h in
            let p = probabilities.data + h * tokens * tokens, g = h / group
            BLAS.sgemm(
                transposeB: true, m: tokens, n: tokens, k: d, alpha: scale, a: q.data + h * d, lda: q.columns,
                b: k.data + g * d, ldb: k.columns, c: p, ldc: tokens)
            let slope = alibiSlopes?[h]
            for i in 0..<tokens {
                let row = p + i * tokens
                if let slope { for j in 0...i { row[j] += slope * Float(j - i) } }
                var peak = -Float.infinity
                for j in 0...i { peak = max(peak, row[j]) }
                var total: Float = 0
                for j in 0...i {
                    row[j] = exp(row[j] - peak)
                    total += row[j]
                }
                for j in 0...i { row[j] /= total }
                for j in (i + 1)..<tokens { row[j] = 0 }
            }
            BLAS.sgemm(
                m: tokens, n: d, k: tokens, a: p, lda: tokens, b: v.data + g * d, ldb: v.columns,
                c: out.data + h * d, ldc: out.columns)
        }
        return probabilities
    }

    /// From dOut (T, H D): dq (T, H D) overwritten, dk and dv (T, K D) overwritten.
    func backward(
        _ dOut: Tensor, query q: Tensor, key k: Tensor, value v: Tensor, probabilities: Tensor,
        queryGradient dq: Tensor, keyGradient dk: Tensor, valueGradient dv: Tensor
    ) {
        let tokens = q.rows, d = headDim
        // Per query head, then summed over each group (heads of a group run in parallel).
        let headKeys = Tensor(zeros: [heads, tokens, d]), headValues = Tensor(zeros: [heads, tokens, d])
        Parallel.forEach(heads) { h in
            let p = probabilities.data + h * tokens * tokens, g = h / group
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: tokens * tokens)
            defer { ds.deallocate() }
            let dO = dOut.data + h * d
            // dP = dO V^T, then dS = P (dP - rowsum(P dP)).
            BLAS.sgemm(
                transposeB: true, m: tokens, n: tokens, k: d, a: dO, lda: dOut.columns, b: v.data + g * d,
                ldb: v.columns, c: ds, ldc: tokens)
            for i in 0..<tokens {
                let row = ds + i * tokens, probability = p + i * tokens
                var dot: Float = 0
                for j in 0...i { dot += probability[j] * row[j] }
                for j in 0...i { row[j] = probability[j] * (row[j] - dot) }
                for j in (i + 1)..<tokens { row[j] = 0 }
            }
            BLAS.sgemm(
                m: tokens, n: d, k: tokens, alpha: scale, a: ds, lda: tokens, b: k.data + g * d, ldb: k.columns,
                c: dq.data + h * d, ldc: dq.columns)
            BLAS.sgemm(
                transposeA: true, m: tokens, n: d, k: tokens, alpha: scale, a: ds, lda: tokens, b: q.data + h * d,
                ldb: q.columns, c: headKeys.data + h * tokens * d, ldc: d)
            BLAS.sgemm(
                transposeA: true, m: tokens, n: d, k: tokens, a: p, lda: tokens, b: dO, ldb: dOut.columns,
                c: headValues.data + h * tokens * d, ldc: d)
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
