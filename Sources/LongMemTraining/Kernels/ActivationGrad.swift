import Foundation
import LongMemTensor

/// The SideNets' activations and their derivatives, element-wise over whole tensors.
enum ActivationGrad {
    /// Exact GELU: 0.5 x (1 + erf(x / sqrt 2)) (the GPT-2* SideNet's).
    static func geluErf(_ x: Tensor, into y: Tensor) {
        Parallel.forRanges(x.count, minimum: 4096) { range in
            for i in range {
                let v = x.data[i]
                y.data[i] = 0.5 * v * (1 + erf(v * Float(0.5).squareRoot()))
            }
        }
    }

    /// dx = dy (Phi(x) + x phi(x)).
    static func geluErfBackward(_ dy: Tensor, input x: Tensor, into dx: Tensor) {
        let density = 1 / Float(2 * Double.pi).squareRoot()
        Parallel.forRanges(x.count, minimum: 4096) { range in
            for i in range {
                let v = x.data[i]
                let cdf = 0.5 * (1 + erf(v * Float(0.5).squareRoot()))
                dx.data[i] = dy.data[i] * (cdf + v * density * exp(-0.5 * v * v))
            }
        }
    }

    /// SwiGLU h = silu(a) u (Llama's feed-forward).
    static func swiGLU(gate a: Tensor, up u: Tensor, into h: Tensor) {
        Parallel.forRanges(a.count, minimum: 4096) { range in
            for i in range {
                let v = a.data[i]
                h.data[i] = v / (1 + exp(-v)) * u.data[i]
            }
        }
    }

    /// da = dh u s (1 + a (1 - s)), du = dh silu(a), with s = sigmoid(a).
    static func swiGLUBackward(
        _ dh: Tensor, gate a: Tensor, up u: Tensor, gateGradient da: Tensor, upGradient du: Tensor
    ) {
        Parallel.forRanges(a.count, minimum: 4096) { range in
            for i in range {
                let v = a.data[i], s = 1 / (1 + exp(-v))
                da.data[i] = dh.data[i] * u.data[i] * s * (1 + v * (1 - s))
                du.data[i] = dh.data[i] * v * s
            }
        }
    }
}
