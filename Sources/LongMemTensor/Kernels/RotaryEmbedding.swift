import Foundation

/// Rotary position embeddings (RoFormer, Su et al. 2021) in Hugging Face's `rotate_half` layout, as
/// transformers' `LlamaRotaryEmbedding` + `apply_rotary_pos_emb` compute them:
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py
///
/// Within each head of D = `headDim` values, element i < D/2 pairs with element i + D/2 and the pair is
/// turned by the angle position * f_i, f_i = 1 / base^(2i / D):
///
///     y[i]       = x[i] cos - x[i + D/2] sin
///     y[i + D/2] = x[i + D/2] cos + x[i] sin
///
/// The angles are formed as transformers forms them, in Float32 (f_i rounded to Float, then
/// position * f_i rounded to Float), so that cos and sin agree with its tables to the last bit or
/// two even at positions in the thousands, where the Float32 rounding of the angle is itself ~1e-4.
/// cos and sin are tabulated per position up to `tablePositions` (the model's context); rows at later
/// positions (a memory method placing keys elsewhere) are computed on the fly.
public struct RotaryEmbedding: Sendable {
    public let headDim: Int
    public let base: Float
    /// f_i, (D/2).
    public let inverseFrequencies: [Float]
    /// Positions 0 ..< tablePositions have tabulated cos and sin.
    public let tablePositions: Int
    /// cos and sin of position * f_i, (tablePositions, D/2) each.
    let cosines: Tensor
    let sines: Tensor

    public var half: Int { headDim / 2 }

    /// `headDim` must be even and positive, `base` positive (callers validate configurations first).
    public init(headDim: Int, base: Float, positions: Int) {
        precondition(headDim > 0 && headDim % 2 == 0, "rotary head size \(headDim) must be even")
        precondition(base > 0, "rotary base \(base) must be positive")
        self.headDim = headDim
        self.base = base
        let half = headDim / 2
        inverseFrequencies = (0..<half).map { i in
            let exponent = Float(2 * i) / Float(headDim)
            return 1 / Float(Foundation.pow(Double(base), Double(exponent)))
        }
        tablePositions = max(positions, 0)
        cosines = Tensor(uninitialized: [tablePositions, half])
        sines = Tensor(uninitialized: [tablePositions, half])
        for position in 0..<tablePositions {
            Self.angles(position, inverseFrequencies, cosines: cosines.row(position), sines: sines.row(position))
        }
    }

    /// cos and sin of Float(position) * f_i, each rounded once from Double (also the training graph's rule).
    public static func angles(
        _ position: Int, _ frequencies: [Float], cosines: UnsafeMutablePointer<Float>,
        sines: UnsafeMutablePointer<Float>
    ) {
        for (i, frequency) in frequencies.enumerated() {
            let angle = Double(Float(position) * frequency)
            cosines[i] = Float(Foundation.cos(angle))
            sines[i] = Float(Foundation.sin(angle))
        }
    }

    /// Rotates `heads` consecutive heads of each row: row r of `source` (row stride `sourceStride`) at
    /// `positions[r]` into row r of `destination`. (rows, heads * D) -> (rows, heads * D).
    /// `destination` may be `source` (in place). Rows are split across `Parallel.threads`.
    public func apply(
        _ source: UnsafePointer<Float>, sourceStride: Int, into destination: UnsafeMutablePointer<Float>,
        destinationStride: Int, heads: Int, positions: [Int]
    ) {
        let rows = positions.count, half = self.half, headDim = self.headDim
        Parallel.forRanges(rows, minimum: 64) { block in
            // Out-of-table positions use this row's own cos/sin.
            var spareCos = [Float](repeating: 0, count: half), spareSin = [Float](repeating: 0, count: half)
            spareCos.withUnsafeMutableBufferPointer { spareCos in
                spareSin.withUnsafeMutableBufferPointer { spareSin in
                    for row in block {
                        let position = positions[row]
                        precondition(position >= 0, "negative rotary position \(position)")
                        let cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
                        if position < tablePositions {
                            cos = UnsafePointer(cosines.row(position))
                            sin = UnsafePointer(sines.row(position))
                        } else {
                            Self.angles(
                                position, inverseFrequencies, cosines: spareCos.baseAddress!,
                                sines: spareSin.baseAddress!)
                            cos = UnsafePointer(spareCos.baseAddress!)
                            sin = UnsafePointer(spareSin.baseAddress!)
                        }
                        let input = source + row * sourceStride, output = destination + row * destinationStride
                        for head in 0..<heads {
                            Self.rotate(
                                input + head * headDim, into: output + head * headDim, cos: cos, sin: sin, half: half)
                        }
                    }
                }
            }
        }
    }

    /// In place: rows at `rowStride`, `heads` heads each, row r at `positions[r]` (the shape of
    /// `RotaryContext.rotate`).
    public func apply(_ rows: UnsafeMutablePointer<Float>, stride: Int, heads: Int, positions: [Int]) {
        apply(rows, sourceStride: stride, into: rows, destinationStride: stride, heads: heads, positions: positions)
    }

    /// One head: (D) -> (D). Plain loops over pointers, which the compiler vectorises (x and y may alias:
    /// each step reads x[i], x[i + D/2] before writing y[i], y[i + D/2]).
    @inline(__always)
    static func rotate(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>,
        sin: UnsafePointer<Float>, half: Int
    ) {
        for i in 0..<half {
            let first = x[i], second = x[i + half]
            y[i] = first * cos[i] - second * sin[i]
            y[i + half] = second * cos[i] + first * sin[i]
        }
    }
}

extension NaiveKernels {
    /// The rotary twin: `rotate_half` RoPE of (rows, heads * headDim) row-major values, angles and
    /// products in Double.
    public static func rotary(
        _ x: [Float], heads: Int, headDim: Int, positions: [Int], base: Float
    ) -> [Float] {
        var y = x
        let half = headDim / 2, width = heads * headDim
        for (row, position) in positions.enumerated() {
            for head in 0..<heads {
                let start = row * width + head * headDim
                for i in 0..<half {
                    let frequency = 1 / pow(Double(base), Double(2 * i) / Double(headDim))
                    let angle = Double(position) * frequency
                    let first = Double(x[start + i]), second = Double(x[start + i + half])
                    y[start + i] = Float(first * cos(angle) - second * sin(angle))
                    y[start + i + half] = Float(second * cos(angle) + first * sin(angle))
                }
            }
        }
        return y
    }
}
