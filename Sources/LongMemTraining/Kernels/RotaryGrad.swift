// Legend: T tokens, D head size.
import LongMemTensor

/// Rotary positions 0..<T for a training segment, and the inverse rotation its backward pass needs
/// (the rotation is orthogonal, so the gradient rotates by the opposite angle).
struct RotaryGrad {
    let headDim: Int
    let cosines: [Float], sines: [Float]  // (T, D/2)

    /// The same angles as `RotaryEmbedding` (cos and sin of Float(position) * f_i, rounded once from Double).
    init(_ rotary: RotaryEmbedding, tokens: Int) {
        headDim = rotary.headDim
        let half = rotary.half
        var cosines = [Float](repeating: 0, count: tokens * half), sines = cosines
        cosines.withUnsafeMutableBufferPointer { cosines in
            sines.withUnsafeMutableBufferPointer { sines in
                for position in 0..<tokens {
                    RotaryEmbedding.angles(
                        position, rotary.inverseFrequencies, cosines: cosines.baseAddress! + position * half,
                        sines: sines.baseAddress! + position * half)
                }
            }
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// Rotates every head of row t of `x` (T, heads D) by position t's angles; `inverse` rotates back.
    func rotate(_ x: Tensor, into y: Tensor, inverse: Bool = false) {
        let half = headDim / 2, heads = x.columns / headDim, sign: Float = inverse ? -1 : 1
        Parallel.forRanges(x.rows, minimum: 32) { rows in
            for t in rows {
                for h in 0..<heads {
                    let input = x.row(t) + h * headDim, output = y.row(t) + h * headDim
                    for i in 0..<half {
                        let c = cosines[t * half + i], s = sign * sines[t * half + i]
                        let first = input[i], second = input[i + half]
                        output[i] = first * c - second * s
                        output[i + half] = second * c + first * s
                    }
                }
            }
        }
    }
}
