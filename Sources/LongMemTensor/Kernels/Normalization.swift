import CLongMemKernels

/// LayerNorm over the last dimension: y = (x - mean) / sqrt(var + eps) * weight + bias (biased variance,
/// as torch.nn.LayerNorm).
public struct LayerNorm: Sendable {
    public let weight: Tensor  // (C)
    public let bias: Tensor  // (C)
    public let epsilon: Float

    public init(weight: Tensor, bias: Tensor, epsilon: Float) {
        self.weight = weight
        self.bias = bias
        self.epsilon = epsilon
    }

    /// (T, C) -> (T, C); `output` may be `input`.
    public func callAsFunction(_ input: Tensor, into output: Tensor) {
        let width = input.columns
        precondition(weight.count == width && output.count == input.count, "LayerNorm shape mismatch")
        Parallel.forRanges(input.rows, minimum: 64) { rows in
            for row in rows {
                lm_layer_norm(input.row(row), output.row(row), weight.data, bias.data, Int64(width), epsilon)
            }
        }
    }
}

/// RMSNorm over the last dimension: y = x / sqrt(mean(x^2) + eps) * weight (Llama).
public struct RMSNorm: Sendable {
    public let weight: Tensor  // (C)
    public let epsilon: Float

    public init(weight: Tensor, epsilon: Float) {
        self.weight = weight
        self.epsilon = epsilon
    }

    /// (T, C) -> (T, C); `output` may be `input`.
    public func callAsFunction(_ input: Tensor, into output: Tensor) {
        let width = input.columns
        precondition(weight.count == width && output.count == input.count, "RMSNorm shape mismatch")
        Parallel.forRanges(input.rows, minimum: 64) { rows in
            for row in rows { lm_rms_norm(input.row(row), output.row(row), weight.data, Int64(width), epsilon) }
        }
    }
}
