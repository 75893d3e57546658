// Naive Double twins of the training kernels (Sources/LongMemTraining/Kernels). Each twin is the op's forward y
// and the analytic gradients of L = sum(y * G), written as plain loops from the math (never calling a kernel),
// cross-checked at a few entries by central differences, then compared with the fast Float32 kernel.
import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemTraining

private typealias Vec = [Double]

private enum Twin {
    static func doubles(_ t: Tensor) -> Vec { t.toArray().map(Double.init) }
    static func zeros(_ n: Int) -> Vec { Vec(repeating: 0, count: n) }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
    /// An output the kernel must overwrite, filled with garbage first.
    static func garbage(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, values: [Float](repeating: 7, count: shape.reduce(1, *)))
    }

    /// max |fast - naive| / max |naive| <= 1e-4, against a reference that is not ~0; returns the error.
    @discardableResult
    static func compare(
        _ fast: [Float], _ naive: Vec, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        let scale = naive.map(abs).max() ?? 0
        #expect(
            fast.count == naive.count && scale > 1e-3, "\(what): degenerate reference", sourceLocation: sourceLocation)
        guard fast.count == naive.count, scale > 0 else { return .infinity }
        let error = zip(fast, naive).map { abs(Double($0) - $1) }.max()! / scale
        #expect(error <= 1e-4, "\(what): relative error \(error)", sourceLocation: sourceLocation)
        return error
    }

    /// `compare` for every gradient a kernel writes, named in order; returns the worst error.
    static func compare(
        _ fast: [Tensor], _ naive: [Vec], _ names: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) -> Double {
        #expect(fast.count == naive.count && names.count == naive.count, sourceLocation: sourceLocation)
        return names.indices.map { compare(fast[$0].toArray(), naive[$0], names[$0], sourceLocation: sourceLocation) }
            .max()!
    }

    /// Central differences (h = 1e-5) of L = sum(forward(inputs) * G) at four entries of every input.
    static func finiteDifferences(
        _ inputs: [Vec], _ G: Vec, _ gradients: [Vec], _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation, _ forward: ([Vec]) -> Vec
    ) {
        let h = 1e-5
        func loss(_ x: [Vec]) -> Double { zip(forward(x), G).reduce(0) { $0 + $1.0 * $1.1 } }
        for (k, input) in inputs.enumerated() {
            let scale = gradients[k].map(abs).max() ?? 0
            for n in 0..<4 {
                let i = (2 * n + 1) * input.count / 8
                var plus = inputs, minus = inputs
                plus[k][i] += h
                minus[k][i] -= h
                let estimate = (loss(plus) - loss(minus)) / (2 * h)
                #expect(
                    abs(estimate - gradients[k][i]) <= 1e-6 * scale + 1e-8,
                    "\(what): input \(k)[\(i)] analytic \(gradients[k][i]) vs central difference \(estimate)",
                    sourceLocation: sourceLocation)
            }
        }
    }

    /// Dense y[t][o] = b[o] + sum_i x[t][i] W[o][i]; dx = G W, dW = G^T x, db = sum_t G[t].
    static func dense(_ x: Vec, _ w: Vec, _ b: Vec, _ G: Vec, inputs: Int, outputs: Int) -> (y: Vec, grads: [Vec]) {
        var y = zeros(G.count), dx = zeros(x.count), dw = zeros(w.count), db = zeros(outputs)
        for t in 0..<(x.count / inputs) {
            for o in 0..<outputs {
                let at = t * outputs + o
                y[at] = b[o]
                db[o] += G[at]
                for i in 0..<inputs {
                    y[at] += x[t * inputs + i] * w[o * inputs + i]
                    dx[t * inputs + i] += G[at] * w[o * inputs + i]
                    dw[o * inputs + i] += G[at] * x[t * inputs + i]
                }
            }
        }
        return (y, [dx, dw, db])
    }

    /// RMSNorm per row y_i = w_i x_i r, r = (mean(x^2) + eps)^(-1/2); dx by the full Jacobian
    /// dy_i/dx_k = w_i (delta_ik r + x_i dr/dx_k), dr/dx_k = -r^3 x_k / C.
    static func rmsNorm(_ x: Vec, _ w: Vec, _ G: Vec, width c: Int, eps: Double) -> (y: Vec, grads: [Vec]) {
        var y = zeros(x.count), dx = zeros(x.count), dw = zeros(c)
        for t in 0..<(x.count / c) {
            let row = Array(x[(t * c)..<(t * c + c)])
            let r = 1 / (row.reduce(0) { $0 + $1 * $1 } / Double(c) + eps).squareRoot()
            for i in 0..<c {
                y[t * c + i] = w[i] * row[i] * r
                dw[i] += G[t * c + i] * row[i] * r
                for k in 0..<c {
                    let jacobian = w[i] * ((i == k ? r : 0) - row[i] * r * r * r * row[k] / Double(c))
                    dx[t * c + k] += G[t * c + i] * jacobian
                }
            }
        }
        return (y, [dx, dw])
    }

    /// LayerNorm per row y_i = w_i xhat_i + b_i, xhat = (x - mean) r, r = (var + eps)^(-1/2) (biased variance);
    /// dx by the full Jacobian dxhat_i/dx_k = r (delta_ik - 1/C) - r xhat_i xhat_k / C.
    static func layerNorm(_ x: Vec, _ w: Vec, _ b: Vec, _ G: Vec, width c: Int, eps: Double) -> (y: Vec, grads: [Vec]) {
        var y = zeros(x.count), dx = zeros(x.count), dw = zeros(c), db = zeros(c)
        for t in 0..<(x.count / c) {
            let row = Array(x[(t * c)..<(t * c + c)]), mean = row.reduce(0, +) / Double(c)
            let r = 1 / (row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c) + eps).squareRoot()
            let xhat = row.map { ($0 - mean) * r }
            for i in 0..<c {
                let g = G[t * c + i]
                y[t * c + i] = w[i] * xhat[i] + b[i]
                dw[i] += g * xhat[i]
                db[i] += g
                for k in 0..<c {
                    let jacobian = r * ((i == k ? 1 : 0) - 1 / Double(c)) - r * xhat[i] * xhat[k] / Double(c)
                    dx[t * c + k] += g * w[i] * jacobian
                }
            }
        }
        return (y, [dx, dw, db])
    }

    /// GELU(x) = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2; derivative Phi(x) + x phi(x).
    static func gelu(_ x: Double) -> Double { x * 0.5 * (1 + erf(x / 2.0.squareRoot())) }
    static func geluDerivative(_ x: Double) -> Double {
        0.5 * (1 + erf(x / 2.0.squareRoot())) + x * exp(-x * x / 2) / (2 * Double.pi).squareRoot()
    }

    /// Heads of a (T, H D) query and (rows, K D) keys: query head h reads key head h / (H / K).
    struct Shape {
        let tokens: Int, heads: Int, kvHeads: Int, dim: Int
        let scale: Double
        var slopes: [Double]? = nil
        var chunk = 1
        func group(_ h: Int) -> Int { h / (heads / kvHeads) }
        func qi(_ t: Int, _ h: Int, _ d: Int) -> Int { (t * heads + h) * dim + d }
        func ki(_ t: Int, _ g: Int, _ d: Int) -> Int { (t * kvHeads + g) * dim + d }
    }

    /// Causal attention p_ij = softmax_{j <= i}(scale q_i . k_j + slope_h (j - i)), y_i = sum_j p_ij v_j (ALiBi as
    /// the kernel states it). Backward: dv_j += p_ij G_i; dP_ij = G_i . v_j; dS_ij = p_ij (dP_ij - sum_l p_il dP_il);
    /// dq_i += scale dS_ij k_j; dk_j += scale dS_ij q_i (summed over the heads of a group). p is (H, T, T).
    static func attention(_ q: Vec, _ k: Vec, _ v: Vec, _ G: Vec, _ a: Shape) -> (y: Vec, p: Vec, grads: [Vec]) {
        let T = a.tokens
        var y = zeros(q.count), p = zeros(a.heads * T * T), dq = zeros(q.count), dk = zeros(k.count),
            dv = zeros(v.count)
        for h in 0..<a.heads {
            let g = a.group(h), slope = a.slopes?[h] ?? 0
            for i in 0..<T {
                var logits = zeros(i + 1), dp = zeros(i + 1)
                for j in 0...i {
                    for d in 0..<a.dim {
                        logits[j] += a.scale * q[a.qi(i, h, d)] * k[a.ki(j, g, d)]
                        dp[j] += G[a.qi(i, h, d)] * v[a.ki(j, g, d)]
                    }
                    logits[j] += slope * Double(j - i)
                }
                let peak = logits.max()!, e = logits.map { exp($0 - peak) }, total = e.reduce(0, +)
                let row = e.map { $0 / total }, expected = zip(row, dp).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0...i {
                    p[(h * T + i) * T + j] = row[j]
                    let ds = row[j] * (dp[j] - expected)
                    for d in 0..<a.dim {
                        y[a.qi(i, h, d)] += row[j] * v[a.ki(j, g, d)]
                        dv[a.ki(j, g, d)] += row[j] * G[a.qi(i, h, d)]
                        dq[a.qi(i, h, d)] += a.scale * ds * k[a.ki(j, g, d)]
                        dk[a.ki(j, g, d)] += a.scale * ds * q[a.qi(i, h, d)]
                    }
                }
            }
        }
        return (y, p, [dq, dk, dv])
    }

    /// Rotate-half RoPE: pair (i, i + D/2) of each head at position t turned by t / 10000^(2i / D),
    /// (a, b) -> (a c - b s, b c + a s); `transpose` applies R^T, (a, b) -> (a c + b s, b c - a s).
    static func rotate(_ x: Vec, width: Int, headDim: Int, transpose: Bool) -> Vec {
        var y = zeros(x.count)
        let half = headDim / 2, sign: Double = transpose ? -1 : 1
        for t in 0..<(x.count / width) {
            for head in 0..<(width / headDim) {
                for i in 0..<half {
                    let angle = Double(t) / pow(10_000, Double(2 * i) / Double(headDim))
                    let c = cos(angle), s = sign * sin(angle), at = t * width + head * headDim + i
                    y[at] = x[at] * c - x[at + half] * s
                    y[at + half] = x[at + half] * c + x[at] * s
                }
            }
        }
        return y
    }

    /// The `count` chunks whose mean key (of key head group(h)) has the largest inner product with the retrieval
    /// query of (t, h), per row t * H + h, and the smallest margin between the last chosen and the best left out.
    static func select(_ rq: Vec, keys: Vec, chunks: Int, count: Int, _ m: Shape) -> (chosen: [[Int]], gap: Double) {
        var chosen = [[Int]](), gap = Double.infinity
        for t in 0..<m.tokens {
            for h in 0..<m.heads {
                var scores = zeros(chunks)
                for c in 0..<chunks {
                    for n in (c * m.chunk)..<((c + 1) * m.chunk) {
                        for d in 0..<m.dim { scores[c] += rq[m.qi(t, h, d)] * keys[m.ki(n, m.group(h), d)] }
                    }
                    scores[c] /= Double(m.chunk)
                }
                let order = scores.indices.sorted { scores[$0] > scores[$1] }
                chosen.append(Array(order.prefix(count)))
                gap = min(gap, scores[order[count - 1]] - scores[order[count]])
            }
        }
        return (chosen, gap)
    }

    /// Memory attention y_h = (1 - s_h) local_h + s_h r_h, s_h = sigmoid(bias_h), r_h = sum_j p_j V_j with
    /// p = softmax_j(scale q_h . K_j) over the chosen chunks' tokens (the choice is a selection: no gradient).
    /// Backward: dlocal = (1 - s) G; dbias_h += s (1 - s) G . (r - local); dp_j = s G . V_j;
    /// dq += scale sum_j p_j (dp_j - sum_l p_l dp_l) K_j.
    static func memoryAttention(
        _ q: Vec, _ local: Vec, _ bias: Vec, _ G: Vec, keys: Vec, values: Vec, chosen: [[Int]], _ m: Shape
    ) -> (y: Vec, grads: [Vec]) {
        var y = zeros(q.count), dq = zeros(q.count), dLocal = zeros(q.count), dBias = zeros(m.heads)
        for t in 0..<m.tokens {
            for h in 0..<m.heads {
                let g = m.group(h), s = sigmoid(bias[h])
                let rows = chosen[t * m.heads + h].flatMap { c in (c * m.chunk)..<((c + 1) * m.chunk) }
                var logits = zeros(rows.count), dp = zeros(rows.count)
                for (j, n) in rows.enumerated() {
                    for d in 0..<m.dim {
                        logits[j] += m.scale * q[m.qi(t, h, d)] * keys[m.ki(n, g, d)]
                        dp[j] += s * G[m.qi(t, h, d)] * values[m.ki(n, g, d)]
                    }
                }
                let peak = logits.max()!, e = logits.map { exp($0 - peak) }, total = e.reduce(0, +)
                let p = e.map { $0 / total }, expected = zip(p, dp).reduce(0) { $0 + $1.0 * $1.1 }
                for d in 0..<m.dim {
                    let at = m.qi(t, h, d)
                    var r = 0.0
                    for (j, n) in rows.enumerated() {
                        r += p[j] * values[m.ki(n, g, d)]
                        dq[at] += m.scale * p[j] * (dp[j] - expected) * keys[m.ki(n, g, d)]
                    }
                    y[at] = (1 - s) * local[at] + s * r
                    dLocal[at] = (1 - s) * G[at]
                    dBias[h] += s * (1 - s) * G[at] * (r - local[at])
                }
            }
        }
        return (y, [dq, dLocal, dBias])
    }

    /// Mean cross-entropy mean_t (logsumexp(z_t) - z_t[target]), z_t = W h_t + b (W is (V, C));
    /// dh_t = (softmax(z_t) - onehot(target_t)) W / T.
    static func crossEntropy(_ h: Vec, _ w: Vec, _ b: Vec, _ targets: [Int], width: Int) -> (loss: Double, dh: Vec) {
        var loss = 0.0, dh = zeros(h.count)
        for (t, target) in targets.enumerated() {
            var z = b
            for v in z.indices { for c in 0..<width { z[v] += w[v * width + c] * h[t * width + c] } }
            let peak = z.max()!, total = z.reduce(0) { $0 + exp($1 - peak) }
            loss += peak + log(total) - z[target]
            for v in z.indices {
                let dz = (exp(z[v] - peak) / total - (v == target ? 1 : 0)) / Double(targets.count)
                for c in 0..<width { dh[t * width + c] += dz * w[v * width + c] }
            }
        }
        return (loss / Double(targets.count), dh)
    }
}

@Suite("KernelTwin: the fast backward kernels equal naive Double twins (checked by central differences)")
struct KernelTwinTests {
    @Test("Dense: dW and db accumulate, dx overwritten or accumulated (T=5, I=7, O=6)", arguments: [false, true])
    func dense(accumulateInput: Bool) {
        var random = SplitMix64(seed: 11)
        let (t, i, o) = (5, 7, 6)
        let x = random.tensor([t, i]), w = random.tensor([o, i]), b = random.tensor([o]), g = random.tensor([t, o])
        let y = Tensor(zeros: [t, o])
        Dense.forward(x, weight: w, bias: b, into: y)
        let dW = random.tensor([o, i]), db = random.tensor([o]), dx = random.tensor([t, i])  // earlier values
        let (dW0, db0, dx0) = (dW.toArray(), db.toArray(), dx.toArray())
        Dense.backward(
            g, input: x, weight: w, weightGradient: dW, biasGradient: db, inputGradient: dx,
            accumulateInput: accumulateInput)
        let (X, W, B, G) = (Twin.doubles(x), Twin.doubles(w), Twin.doubles(b), Twin.doubles(g))
        let naive = Twin.dense(X, W, B, G, inputs: i, outputs: o)
        Twin.finiteDifferences([X, W, B], G, naive.grads, "Dense") {
            Twin.dense($0[0], $0[1], $0[2], G, inputs: i, outputs: o).y
        }
        Twin.compare(y.toArray(), naive.y, "Dense forward")
        for (sum, prior) in [(dW, dW0), (db, db0)] + (accumulateInput ? [(dx, dx0)] : []) {
            for i in prior.indices { sum.data[i] -= prior[i] }  // what the kernel added
        }
        let worst = Twin.compare([dx, dW, db], naive.grads, ["Dense dx", "Dense dW", "Dense db"])
        print("KernelTwin Dense (accumulateInput \(accumulateInput)): worst relative error \(worst)")
    }

    @Test("RMSNormGrad and LayerNormGrad: dx, dw (and db) for T=4, C=9")
    func norms() {
        var random = SplitMix64(seed: 12)
        let (t, c, eps) = (4, 9, Float(1e-5))
        let x = random.tensor([t, c], scale: 2), w = random.tensor([c]), b = random.tensor([c])
        let g = random.tensor([t, c])
        let (X, W, B, G, e) = (Twin.doubles(x), Twin.doubles(w), Twin.doubles(b), Twin.doubles(g), Double(eps))
        let y = Tensor(zeros: [t, c]), dx = Tensor(zeros: [t, c]), dw = Tensor(zeros: [c])
        let scales = RMSNormGrad.forward(x, weight: w, epsilon: eps, into: y)
        RMSNormGrad.backward(g, input: x, weight: w, scales: scales, weightGradient: dw, inputGradient: dx)
        let rms = Twin.rmsNorm(X, W, G, width: c, eps: e)
        Twin.finiteDifferences([X, W], G, rms.grads, "RMSNorm") { Twin.rmsNorm($0[0], $0[1], G, width: c, eps: e).y }
        Twin.compare(y.toArray(), rms.y, "RMSNorm forward")
        let rmsWorst = Twin.compare([dx, dw], rms.grads, ["RMSNorm dx", "RMSNorm dw"])
        let z = Tensor(zeros: [t, c]), dxl = Tensor(zeros: [t, c]), dwl = Tensor(zeros: [c]), dbl = Tensor(zeros: [c])
        let saved = LayerNormGrad.forward(x, weight: w, bias: b, epsilon: eps, into: z)
        LayerNormGrad.backward(
            g, input: x, weight: w, means: saved.means, scales: saved.scales, weightGradient: dwl, biasGradient: dbl,
            inputGradient: dxl)
        let layer = Twin.layerNorm(X, W, B, G, width: c, eps: e)
        Twin.finiteDifferences([X, W, B], G, layer.grads, "LayerNorm") {
            Twin.layerNorm($0[0], $0[1], $0[2], G, width: c, eps: e).y
        }
        Twin.compare(z.toArray(), layer.y, "LayerNorm forward")
        let layerWorst = Twin.compare([dxl, dwl, dbl], layer.grads, ["LayerNorm dx", "LayerNorm dw", "LayerNorm db"])
        print("KernelTwin RMSNormGrad: worst relative error \(rmsWorst); LayerNormGrad: \(layerWorst)")
    }

    @Test("ActivationGrad: exact GELU and SwiGLU (h = silu(a) u) backward")
    func activations() {
        var random = SplitMix64(seed: 13)
        let shape = [6, 5]
        let x = random.tensor(shape, scale: 3), u = random.tensor(shape, scale: 2), g = random.tensor(shape)
        let (X, U, G) = (Twin.doubles(x), Twin.doubles(u), Twin.doubles(g))
        let y = Tensor(zeros: shape), dx = Twin.garbage(shape)
        ActivationGrad.geluErf(x, into: y)
        ActivationGrad.geluErfBackward(g, input: x, into: dx)
        let gelu = [X.indices.map { G[$0] * Twin.geluDerivative(X[$0]) }]
        Twin.finiteDifferences([X], G, gelu, "GELU") { $0[0].map(Twin.gelu) }
        Twin.compare(y.toArray(), X.map(Twin.gelu), "GELU forward")
        let geluWorst = Twin.compare(dx.toArray(), gelu[0], "GELU dx")
        // h = a s u with s = sigmoid(a): dh/da = u (s + a s (1 - s)), dh/du = a s.
        let h = Tensor(zeros: shape), da = Twin.garbage(shape), du = Twin.garbage(shape)
        ActivationGrad.swiGLU(gate: x, up: u, into: h)
        ActivationGrad.swiGLUBackward(g, gate: x, up: u, gateGradient: da, upGradient: du)
        func swiGLU(_ a: Vec, _ u: Vec) -> Vec { a.indices.map { a[$0] * Twin.sigmoid(a[$0]) * u[$0] } }
        let s = X.map(Twin.sigmoid)
        let swi = [
            X.indices.map { G[$0] * U[$0] * (s[$0] + X[$0] * s[$0] * (1 - s[$0])) },
            X.indices.map { G[$0] * X[$0] * s[$0] },
        ]
        Twin.finiteDifferences([X, U], G, swi, "SwiGLU") { swiGLU($0[0], $0[1]) }
        Twin.compare(h.toArray(), swiGLU(X, U), "SwiGLU forward")
        let swiWorst = Twin.compare([da, du], swi, ["SwiGLU da", "SwiGLU du"])
        print("KernelTwin geluErf: worst relative error \(geluWorst); swiGLU: \(swiWorst)")
    }

    @Test(
        "CausalAttentionGrad: dq, dk, dv with GQA (H=4, K=2, D=8; T=7, and T=200 in 128-row blocks), without and with ALiBi",
        arguments: [false, true], [7, 200])
    func causalAttention(alibi: Bool, t: Int) {
        var random = SplitMix64(seed: (alibi ? 15 : 14) + UInt64(t))
        let (h, kv, d) = (4, 2, 8)
        let slopes: [Float]? = alibi ? [1, 0.5, 0.25, 0.125] : nil
        let kernel = CausalAttentionGrad(
            heads: h, kvHeads: kv, headDim: d, scale: 1 / Float(d).squareRoot(), alibiSlopes: slopes)
        let shape = Twin.Shape(
            tokens: t, heads: h, kvHeads: kv, dim: d, scale: Double(kernel.scale), slopes: slopes?.map(Double.init))
        let q = random.tensor([t, h * d], scale: 2), k = random.tensor([t, kv * d], scale: 2)
        let v = random.tensor([t, kv * d]), g = random.tensor([t, h * d]), out = Tensor(zeros: [t, h * d])
        let probabilities = kernel.forward(query: q, key: k, value: v, into: out)
        let dq = Twin.garbage([t, h * d]), dk = Twin.garbage([t, kv * d]), dv = Twin.garbage([t, kv * d])
        kernel.backward(
            g, query: q, key: k, value: v, probabilities: probabilities, queryGradient: dq, keyGradient: dk,
            valueGradient: dv)
        let (Q, K, V, G) = (Twin.doubles(q), Twin.doubles(k), Twin.doubles(v), Twin.doubles(g))
        let naive = Twin.attention(Q, K, V, G, shape)
        Twin.finiteDifferences([Q, K, V], G, naive.grads, "attention") {
            Twin.attention($0[0], $0[1], $0[2], G, shape).y
        }
        Twin.compare(out.toArray(), naive.y, "attention forward")
        Twin.compare(probabilities.toArray(), naive.p, "attention probabilities")
        let worst = Twin.compare([dq, dk, dv], naive.grads, ["attention dq", "attention dk", "attention dv"])
        print("KernelTwin CausalAttentionGrad (ALiBi \(alibi)): worst relative error \(worst)")
    }

    @Test("RotaryGrad: the inverse rotation is the transpose, d sum(rotate(x) G) / dx (2 heads of 8, T=16)")
    func rotary() {
        var random = SplitMix64(seed: 16)
        let (t, d, width) = (16, 8, 16)
        let rotary = RotaryGrad(RotaryEmbedding(headDim: d, base: 10_000, positions: 16), tokens: t)
        let x = random.tensor([t, width], scale: 2), g = random.tensor([t, width])
        let y = Tensor(zeros: [t, width]), dx = Twin.garbage([t, width])
        rotary.rotate(x, into: y)
        rotary.rotate(g, into: dx, inverse: true)
        let (X, G) = (Twin.doubles(x), Twin.doubles(g))
        let naive = [Twin.rotate(G, width: width, headDim: d, transpose: true)]
        Twin.finiteDifferences([X], G, naive, "rotary") {
            Twin.rotate($0[0], width: width, headDim: d, transpose: false)
        }
        Twin.compare(y.toArray(), Twin.rotate(X, width: width, headDim: d, transpose: false), "rotary forward")
        print("KernelTwin RotaryGrad: worst relative error \(Twin.compare(dx.toArray(), naive[0], "rotary dx"))")
    }

    @Test("MemoryAttentionGrad: d query, d bias (and d local) over a Float32 bank (chunks of 2, top 4)")
    func memoryAttention() {
        var random = SplitMix64(seed: 17)
        let (t, h, kv, d, chunk, stored) = (3, 4, 2, 8, 2, 10)
        let configuration = MemoryConfiguration(
            memorySize: 32, chunkSize: chunk, topK: 4, retrievalLayer: 0, precision: .float32)
        let bank = MemoryBank(configuration: configuration, heads: kv, dimension: d)
        let keys = random.tensor([stored, kv * d]), values = random.tensor([stored, kv * d])
        for (start, count) in [(0, 6), (6, 4)] {  // 3 + 2 chunks, no eviction: slot = chunk
            bank.write(
                keys: keys.row(start), keyStride: kv * d, values: values.row(start), valueStride: kv * d, tokens: count)
        }
        let kernel = MemoryAttentionGrad(memory: bank, heads: h, headDim: d, scale: 1 / Float(d).squareRoot())
        let shape = Twin.Shape(tokens: t, heads: h, kvHeads: kv, dim: d, scale: Double(kernel.scale), chunk: chunk)
        let q = random.tensor([t, h * d], scale: 2), retrieval = random.tensor([t, h * d], scale: 10)
        let local = random.tensor([t, h * d]), bias = random.tensor([h], scale: 2), g = random.tensor([t, h * d])
        let (K, V) = (Twin.doubles(keys), Twin.doubles(values))
        let selection = Twin.select(Twin.doubles(retrieval), keys: K, chunks: stored / chunk, count: 2, shape)
        #expect(selection.gap > 1e-3, "retrieval must be unambiguous (margin \(selection.gap))")
        let output = local.copy()
        let saved = kernel.forward(query: q, retrievalQuery: retrieval, bias: bias, output: output)
        for row in 0..<(t * h) {
            let slots = saved.slots[(row * saved.perQuery)..<(row * saved.perQuery + saved.available)]
            #expect(Set(slots.map(Int.init)) == Set(selection.chosen[row]), "chunks of (token, head) row \(row)")
        }
        let dLocal = Twin.garbage([t, h * d]), dq = Tensor(zeros: [t, h * d]), dBias = Tensor(zeros: [h])
        kernel.backward(g, query: q, saved: saved, localGradient: dLocal, queryGradient: dq, biasGradient: dBias)
        let (Q, L, B, G) = (Twin.doubles(q), Twin.doubles(local), Twin.doubles(bias), Twin.doubles(g))
        func twin(_ x: [Vec]) -> (y: Vec, grads: [Vec]) {
            Twin.memoryAttention(x[0], x[1], x[2], G, keys: K, values: V, chosen: selection.chosen, shape)
        }
        let naive = twin([Q, L, B])
        Twin.finiteDifferences([Q, L, B], G, naive.grads, "memory attention") { twin($0).y }
        Twin.compare(output.toArray(), naive.y, "memory forward")
        let worst = Twin.compare([dq, dLocal, dBias], naive.grads, ["memory dq", "memory dLocal", "memory dBias"])
        print("KernelTwin MemoryAttentionGrad: worst relative error \(worst) (retrieval margin \(selection.gap))")
    }

    @Test(
        "CrossEntropyGrad: mean loss and d loss / d hidden (V=11, C=6, T=40: two 32-row blocks)",
        arguments: [false, true])
    func crossEntropy(withBias: Bool) {
        var random = SplitMix64(seed: withBias ? 19 : 18)
        let (t, v, c) = (40, 11, 6)
        let hidden = random.tensor([t, c], scale: 2), weight = random.tensor([v, c]), bias = random.tensor([v])
        let targets = (0..<t).map { _ in Int.random(in: 0..<v, using: &random) }
        let dHidden = Twin.garbage([t, c])
        let head = Linear(weight: weight, bias: withBias ? bias : nil, layout: .outputMajor)
        let loss = CrossEntropyGrad.lossAndGradient(
            hidden: hidden, targets: targets, head: head, hiddenGradient: dHidden)
        let (H, W) = (Twin.doubles(hidden), Twin.doubles(weight)), B = withBias ? Twin.doubles(bias) : Twin.zeros(v)
        let naive = Twin.crossEntropy(H, W, B, targets, width: c)
        Twin.finiteDifferences([H], [1], [naive.dh], "cross-entropy") {
            [Twin.crossEntropy($0[0], W, B, targets, width: c).loss]
        }
        #expect(abs(loss - naive.loss) <= 1e-5 * naive.loss, "loss \(loss) vs naive \(naive.loss)")
        let worst = Twin.compare(dHidden.toArray(), naive.dh, "cross-entropy dHidden")
        print("KernelTwin CrossEntropyGrad (bias \(withBias)): worst relative error \(worst), loss \(loss)")
    }
}
