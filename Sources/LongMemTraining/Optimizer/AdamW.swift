import Foundation
import LongMemTensor

/// Adam with decoupled weight decay (torch.optim.AdamW; fairseq's `adam` is the same update):
/// p -= lr wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
public final class AdamW {
    public struct Settings: Sendable, Codable, Equatable {
        public var beta1: Float = 0.9
        public var beta2: Float = 0.98
        public var epsilon: Float = 1e-6
        public var weightDecay: Float = 0.01
        public init() {}
    }

    public let settings: Settings
    let parameters: [Parameter]
    /// First and second moments, one per parameter.
    let moments: [Tensor], squares: [Tensor]
    public private(set) var step = 0

    public init(parameters: [Parameter], settings: Settings = Settings()) {
        self.parameters = parameters
        self.settings = settings
        moments = parameters.map { Tensor(zeros: $0.value.shape) }
        squares = parameters.map { Tensor(zeros: $0.value.shape) }
    }

    /// One update at learning rate `rate` from the parameters' gradients.
    public func update(rate: Float) {
        step += 1
        let s = settings
        let correction1 = 1 - Float(pow(Double(s.beta1), Double(step)))
        let correction2 = (1 - Float(pow(Double(s.beta2), Double(step)))).squareRoot()
        for (index, parameter) in parameters.enumerated() {
            let p = parameter.value.data, g = parameter.gradient.data
            let m = moments[index].data, v = squares[index].data
            let decay = 1 - rate * s.weightDecay, stepSize = rate / correction1
            Parallel.forRanges(parameter.value.count, minimum: 65_536) { range in
                for i in range {
                    p[i] *= decay
                    m[i] = s.beta1 * m[i] + (1 - s.beta1) * g[i]
                    v[i] = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i]
                    p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + s.epsilon)
                }
            }
        }
    }

    /// The optimizer's state for a checkpoint: moments named after their parameters, and the step.
    public var state: [(name: String, tensor: Tensor)] {
        parameters.indices.flatMap {
            [("adam.m." + parameters[$0].name, moments[$0]), ("adam.v." + parameters[$0].name, squares[$0])]
        }
    }

    /// Restores `state` read back from a checkpoint (the caller checked names and shapes).
    func restore(step: Int, tensors: [String: Tensor]) {
        self.step = step
        for (index, parameter) in parameters.enumerated() {
            moments[index].assign(tensors["adam.m." + parameter.name]!)
            squares[index].assign(tensors["adam.v." + parameter.name]!)
        }
    }
}

/// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): scales every gradient by
/// maxNorm / (norm + 1e-6) when the norm exceeds maxNorm. Returns the norm before clipping.
public enum GradientClipping {
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Float?) -> Double {
        var total = 0.0
        for parameter in parameters {
            let g = parameter.gradient.data
            for i in 0..<parameter.gradient.count { total += Double(g[i]) * Double(g[i]) }
        }
        let norm = total.squareRoot()
        guard let maxNorm, maxNorm > 0, norm > Double(maxNorm) else { return norm }
        let scale = Float(Double(maxNorm) / (norm + 1e-6))
        for parameter in parameters {
            let g = parameter.gradient.data
            for i in 0..<parameter.gradient.count { g[i] *= scale }
        }
        return norm
    }
}
