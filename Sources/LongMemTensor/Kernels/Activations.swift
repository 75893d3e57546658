import CLongMemKernels

/// Element-wise activations, in place on `count` floats.
public enum Activation: String, Sendable, Codable, CaseIterable {
    /// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): GPT-2's `gelu_new`.
    case geluTanh = "gelu_new"
    /// 0.5 x (1 + erf(x / sqrt 2)): exact GELU (`gelu`), used by LongMem's SideNet.
    case geluErf = "gelu"
    /// x * sigmoid(x): Llama's SwiGLU gate.
    case silu = "silu"

    /// Accepts the names Hugging Face configs use for each function.
    public init?(configName: String) {
        switch configName {
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "gelu", "gelu_python": self = .geluErf
        case "silu", "swish": self = .silu
        default: return nil
        }
    }

    public func apply(_ data: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count, minimum: 1 << 16) { range in
            let start = data + range.lowerBound, n = Int64(range.count)
            switch self {
            case .geluTanh: lm_gelu_tanh(start, n)
            case .geluErf: lm_gelu_erf(start, n)
            case .silu: lm_silu(start, n)
            }
        }
    }

    public func apply(_ tensor: Tensor) { apply(tensor.data, count: tensor.count) }
}

extension Tensor {
    /// self *= other, element-wise (SwiGLU's gate times up projection).
    public func multiply(by other: Tensor) {
        precondition(other.count == count, "multiplying \(shape) by \(other.shape)")
        for index in 0..<count { data[index] *= other.data[index] }
    }

    /// self += other, element-wise (residual connections).
    public func add(_ other: Tensor) {
        precondition(other.count == count, "adding \(other.shape) to \(shape)")
        for index in 0..<count { data[index] += other.data[index] }
    }

    /// self += scale * other, element-wise.
    public func add(_ other: Tensor, scaledBy scale: Float) {
        precondition(other.count == count, "adding \(other.shape) to \(shape)")
        for index in 0..<count { data[index] += scale * other.data[index] }
    }
}
