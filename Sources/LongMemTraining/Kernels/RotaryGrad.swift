// Legend: T tokens, D head size.
import Foundation
import LongMemTensor

/// Rotary positions 0..<T for a training segment, and the inverse rotation its backward pass needs
/// (the rotation is orthogonal, so the gradient rotates by the opposite angle).
struct RotaryGrad {
    let headDim: Int
    let cosines: [Float], sines: [Float]  // (T, D/2)

    /// The same angles as `RotaryEmbedding` (cos and sin of Float(position) * f_i, rounded once from Double).
    init(_ rotary: RotaryEmbedding, tokens: Int) {
        headDim = rotary.headDim
        var cosines = [Float](), sines = [Float]()
        for position in 0..<tokens {
            for frequency in rotary.inverseFrequencies {
                let angle = Double(Float(position) * frequency)
                cosines.append(Float(Foundation.cos(angle)))
                sines.append(Float(Foundation.sin(angle)))
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
