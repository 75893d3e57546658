// Legend: T tokens, C width.
import Foundation
import LongMemTensor

/// RMSNorm y = x r w with r = 1 / sqrt(mean(x^2) + eps) (Llama), keeping r for the backward pass.
enum RMSNormGrad {
    /// (T, C) -> (T, C); returns r per row.
    static func forward(_ x: Tensor, weight: Tensor, epsilon: Float, into y: Tensor) -> [Float] {
        var scales = [Float](repeating: 0, count: x.rows)
        let width = x.columns
        scales.withUnsafeMutableBufferPointer { scales in
            Parallel.forRanges(x.rows, minimum: 32) { rows in
                for t in rows {
                    let input = x.row(t), output = y.row(t)
                    var squares: Float = 0
                    for i in 0..<width { squares += input[i] * input[i] }
                    let r = 1 / (squares / Float(width) + epsilon).squareRoot()
                    scales[t] = r
                    for i in 0..<width { output[i] = input[i] * r * weight.data[i] }
                }
            }
        }
        return scales
    }

    /// dw += sum_t dy x r; dx += r g - x r^3 (g . x) / C with g = w dy.
    static func backward(
        _ dy: Tensor, input x: Tensor, weight: Tensor, scales: [Float], weightGradient dw: Tensor,
        inputGradient dx: Tensor
    ) {
        let width = x.columns
        for t in 0..<x.rows {
            let g = dy.row(t), input = x.row(t), r = scales[t]
            for i in 0..<width { dw.data[i] += g[i] * input[i] * r }
        }
        Parallel.forRanges(x.rows, minimum: 32) { rows in
            for t in rows {
                let g = dy.row(t), input = x.row(t), out = dx.row(t), r = scales[t]
                var dot: Float = 0
                for i in 0..<width { dot += weight.data[i] * g[i] * input[i] }
                let correction = r * r * r * dot / Float(width)
                for i in 0..<width { out[i] += r * weight.data[i] * g[i] - input[i] * correction }
            }
        }
    }
}

/// LayerNorm y = (x - mean) rstd w + b (biased variance, as torch), keeping mean and rstd.
enum LayerNormGrad {
    static func forward(
        _ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float, into y: Tensor
    ) -> (means: [Float], scales: [Float]) {
        var means = [Float](repeating: 0, count: x.rows), scales = means
        let width = x.columns
        means.withUnsafeMutableBufferPointer { means in
            scales.withUnsafeMutableBufferPointer { scales in
                Parallel.forRanges(x.rows, minimum: 32) { rows in
                    for t in rows {
                        let input = x.row(t), output = y.row(t)
                        var sum: Float = 0
                        for i in 0..<width { sum += input[i] }
                        let mean = sum / Float(width)
                        var variance: Float = 0
                        for i in 0..<width { variance += (input[i] - mean) * (input[i] - mean) }
                        let r = 1 / (variance / Float(width) + epsilon).squareRoot()
                        means[t] = mean
                        scales[t] = r
                        for i in 0..<width { output[i] = (input[i] - mean) * r * weight.data[i] + bias.data[i] }
                    }
                }
            }
        }
        return (means, scales)
    }

    /// dw += sum dy xhat, db += sum dy; dx += rstd (g - mean(g) - xhat mean(g xhat)) with g = w dy.
    static func backward(
        _ dy: Tensor, input x: Tensor, weight: Tensor, means: [Float], scales: [Float], weightGradient dw: Tensor,
        biasGradient db: Tensor, inputGradient dx: Tensor
    ) {
        let width = x.columns
        for t in 0..<x.rows {
            let g = dy.row(t), input = x.row(t)
            for i in 0..<width {
                dw.data[i] += g[i] * (input[i] - means[t]) * scales[t]
                db.data[i] += g[i]
            }
        }
        Parallel.forRanges(x.rows, minimum: 32) { rows in
            for t in rows {
                let g = dy.row(t), input = x.row(t), out = dx.row(t), r = scales[t], mean = means[t]
                var sum: Float = 0, dot: Float = 0
                for i in 0..<width {
                    let gi = weight.data[i] * g[i]
                    sum += gi
                    dot += gi * (input[i] - mean) * r
                }
                sum /= Float(width)
                dot /= Float(width)
                for i in 0..<width { out[i] += r * (weight.data[i] * g[i] - sum - (input[i] - mean) * r * dot) }
            }
        }
    }
}
