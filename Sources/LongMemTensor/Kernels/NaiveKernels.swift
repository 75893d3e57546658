import Foundation

/// Straightforward scalar twins of the fast kernels, written for clarity, accumulating in Double.
/// Tests compare every fast kernel with its twin; nothing else should call these.
public enum NaiveKernels {
    /// (m, k) x (k, n) -> (m, n), all row-major and contiguous.
    public static func matmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k { total += Double(a[i * k + p]) * Double(b[p * n + j]) }
                c[i * n + j] = Float(total)
            }
        }
        return c
    }

    public static func transpose(_ a: [Float], rows: Int, columns: Int) -> [Float] {
        var t = [Float](repeating: 0, count: a.count)
        for i in 0..<rows { for j in 0..<columns { t[j * rows + i] = a[i * columns + j] } }
        return t
    }

    public static func layerNorm(_ x: [Float], width: Int, weight: [Float], bias: [Float], epsilon: Float) -> [Float] {
        var y = x
        for row in 0..<(x.count / width) {
            let slice = x[(row * width)..<((row + 1) * width)].map(Double.init)
            let mean = slice.reduce(0, +) / Double(width)
            let variance = slice.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                let normalised = (slice[i] - mean) / (variance + Double(epsilon)).squareRoot()
                y[row * width + i] = Float(normalised * Double(weight[i]) + Double(bias[i]))
            }
        }
        return y
    }

    public static func rmsNorm(_ x: [Float], width: Int, weight: [Float], epsilon: Float) -> [Float] {
        var y = x
        for row in 0..<(x.count / width) {
            let slice = x[(row * width)..<((row + 1) * width)].map(Double.init)
            let meanSquare = slice.map { $0 * $0 }.reduce(0, +) / Double(width)
            for i in 0..<width {
                y[row * width + i] = Float(slice[i] / (meanSquare + Double(epsilon)).squareRoot() * Double(weight[i]))
            }
        }
        return y
    }

    public static func activation(_ kind: Activation, _ x: [Float]) -> [Float] {
        x.map { value in
            let v = Double(value)
            switch kind {
            case .geluTanh:
                return Float(0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))))
            case .geluErf: return Float(0.5 * v * (1 + erf(v / 2.0.squareRoot())))
            case .silu: return Float(v / (1 + exp(-v)))
            }
        }
    }

    public static func softmax(_ x: [Float]) -> [Float] {
        let peak = x.max() ?? 0
        let exps = x.map { exp(Double($0 - peak)) }
        let total = exps.reduce(0, +)
        return exps.map { Float($0 / total) }
    }

    public static func logSoftmax(_ x: [Float]) -> [Float] {
        let peak = Double(x.max() ?? 0)
        let total = x.map { exp(Double($0) - peak) }.reduce(0, +)
        return x.map { Float(Double($0) - peak - log(total)) }
    }

    /// Causal attention of one sequence, heads as column slices of (T, heads * D) matrices, with the
    /// ALiBi bias in LongMem's key-index form `slope * j` (the fast kernel uses the relative form).
    public static func causalAttention(
        q: [Float], k: [Float], v: [Float], tokens: Int, past: Int = 0,
        heads: Int, kvHeads: Int, headDim: Int, scale: Float, alibiSlopes: [Float]? = nil
    ) -> [Float] {
        let qWidth = heads * headDim, kvWidth = kvHeads * headDim
        var out = [Float](repeating: 0, count: tokens * qWidth)
        for head in 0..<heads {
            let kvHead = head / (heads / kvHeads)
            for i in 0..<tokens {
                let visible = past + i + 1
                var logits = [Double](repeating: 0, count: visible)
                for j in 0..<visible {
                    var dot = 0.0
                    for d in 0..<headDim {
                        dot +=
                            Double(q[i * qWidth + head * headDim + d]) * Double(k[j * kvWidth + kvHead * headDim + d])
                    }
                    logits[j] = dot * Double(scale) + Double(alibiSlopes?[head] ?? 0) * Double(j)
                }
                let peak = logits.max()!
                let weights = logits.map { exp($0 - peak) }
                let total = weights.reduce(0, +)
                for d in 0..<headDim {
                    var acc = 0.0
                    for j in 0..<visible { acc += weights[j] / total * Double(v[j * kvWidth + kvHead * headDim + d]) }
                    out[i * qWidth + head * headDim + d] = Float(acc)
                }
            }
        }
        return out
    }
}
