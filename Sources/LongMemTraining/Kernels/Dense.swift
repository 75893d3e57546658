// Legend: T tokens, I input features, O output features.
import LongMemTensor

/// y = x W^T (+ b) with W (O, I) stored as torch.nn.Linear, and its backward pass. BLAS runs
/// single-threaded; products are split across `Parallel.threads` by rows (or by rows of dW).
enum Dense {
    /// (T, I) -> (T, O); with `accumulate`, adds to `y`.
    static func forward(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, into y: Tensor, accumulate: Bool = false) {
        Linear(weight: weight, bias: bias, layout: .outputMajor).apply(
            x.data, rows: x.rows, inputStride: x.columns, into: y.data, outputStride: y.columns, accumulate: accumulate)
    }

    /// dW += dy^T x, db += sum_t dy, and dx (= or +=) dy W.
    static func backward(
        _ dy: Tensor, input x: Tensor, weight: Tensor, weightGradient dW: Tensor, biasGradient db: Tensor? = nil,
        inputGradient dx: Tensor?, accumulateInput: Bool = false
    ) {
        let rows = x.rows, inputs = weight.columns, outputs = weight.rows
        Parallel.forRanges(outputs, minimum: 16) { block in
            BLAS.sgemm(
                transposeA: true, m: block.count, n: inputs, k: rows, a: dy.data + block.lowerBound, lda: outputs,
                b: x.data, ldb: inputs, beta: 1, c: dW.data + block.lowerBound * inputs, ldc: inputs)
            if let db {
                for t in 0..<rows {
                    let row = dy.row(t)
                    for o in block { db.data[o] += row[o] }
                }
            }
        }
        guard let dx else { return }
        Parallel.forRanges(rows, minimum: 16) { block in
            BLAS.sgemm(
                m: block.count, n: inputs, k: outputs, a: dy.data + block.lowerBound * outputs, lda: outputs,
                b: weight.data, ldb: inputs, beta: accumulateInput ? 1 : 0, c: dx.data + block.lowerBound * inputs,
                ldc: inputs)
        }
    }
}
