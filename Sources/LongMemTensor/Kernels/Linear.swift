/// How a weight matrix is stored.
public enum WeightLayout: Sendable {
    /// (in, out): Hugging Face GPT-2's `Conv1D`. Used as is: y = x W.
    case inputMajor
    /// (out, in): `torch.nn.Linear`. Used as is: y = x W^T (BLAS transposes on the fly).
    case outputMajor
}

/// An affine map y = x W (+ b), either weight layout, never transposed at load.
public struct Linear: Sendable {
    public let weight: Tensor
    public let bias: Tensor?
    public let layout: WeightLayout

    public init(weight: Tensor, bias: Tensor? = nil, layout: WeightLayout) {
        precondition(weight.rank == 2, "Linear weight must be a matrix, got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        self.layout = layout
    }

    public var inputFeatures: Int { layout == .inputMajor ? weight.shape[0] : weight.shape[1] }
    public var outputFeatures: Int { layout == .inputMajor ? weight.shape[1] : weight.shape[0] }

    /// (T, in) -> (T, out).
    public func callAsFunction(_ input: Tensor, into output: Tensor) {
        precondition(input.columns == inputFeatures, "Linear expects \(inputFeatures) inputs, got \(input.shape)")
        precondition(output.columns == outputFeatures && output.rows == input.rows, "Linear output \(output.shape)")
        apply(input.data, rows: input.rows, inputStride: input.columns, into: output.data, outputStride: output.columns)
    }

    /// (T, in) -> adds (T, out) to `output`.
    public func accumulate(_ input: Tensor, into output: Tensor) {
        precondition(input.columns == inputFeatures && output.columns == outputFeatures && output.rows == input.rows)
        apply(
            input.data, rows: input.rows, inputStride: input.columns, into: output.data, outputStride: output.columns,
            accumulate: true)
    }

    /// (rows, in) with row stride `inputStride` -> (rows, out) with row stride `outputStride`.
    /// With `accumulate`, adds to what `output` holds (a residual connection) instead of overwriting it.
    ///
    /// Work is split across `Parallel.threads` by output columns when the weight matrix is the larger
    /// operand (each thread then packs only its part of it), else by rows.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int,
        into output: UnsafeMutablePointer<Float>, outputStride: Int, accumulate: Bool = false
    ) {
        if rows > outputFeatures {
            Parallel.forRanges(rows, minimum: 32) { block in
                multiply(
                    input + block.lowerBound * inputStride, rows: block.count, inputStride: inputStride,
                    into: output + block.lowerBound * outputStride, outputStride: outputStride,
                    columns: 0..<outputFeatures, accumulate: accumulate)
            }
        } else {
            Parallel.forRanges(outputFeatures, minimum: 256) { columns in
                multiply(
                    input, rows: rows, inputStride: inputStride, into: output, outputStride: outputStride,
                    columns: columns, accumulate: accumulate)
            }
        }
    }

    /// Output columns `columns` only, written to `output` (row stride `outputStride`) from its column 0:
    /// a slice of a large output (e.g. a vocabulary chunk of the logits). Columns are split across threads.
    public func apply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int, columns: Range<Int>,
        into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        Parallel.forRanges(columns.count, minimum: 256) { part in
            multiply(
                input, rows: rows, inputStride: inputStride, into: output - columns.lowerBound,
                outputStride: outputStride,
                columns: (columns.lowerBound + part.lowerBound)..<(columns.lowerBound + part.upperBound),
                accumulate: false)
        }
    }

    /// One single-threaded product for output columns `columns` of `rows` rows (for callers that parallelise
    /// over row blocks themselves).
    public func multiply(
        _ input: UnsafePointer<Float>, rows: Int, inputStride: Int, into output: UnsafeMutablePointer<Float>,
        outputStride: Int, columns: Range<Int>, accumulate: Bool
    ) {
        let destination = output + columns.lowerBound
        if let bias {
            let source = bias.data + columns.lowerBound
            for row in 0..<rows {
                let target = destination + row * outputStride
                if accumulate {
                    for j in 0..<columns.count { target[j] += source[j] }
                } else {
                    target.update(from: source, count: columns.count)
                }
            }
        }
        let weights: UnsafePointer<Float>
        switch layout {
        case .inputMajor: weights = UnsafePointer(weight.data + columns.lowerBound)
        case .outputMajor: weights = UnsafePointer(weight.data + columns.lowerBound * weight.columns)
        }
        BLAS.sgemm(
            transposeB: layout == .outputMajor, m: rows, n: columns.count, k: inputFeatures,
            a: input, lda: inputStride, b: weights, ldb: weight.columns,
            beta: (bias != nil || accumulate) ? 1 : 0, c: destination, ldc: outputStride)
    }
}
