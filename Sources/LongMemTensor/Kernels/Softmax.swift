import CLongMemKernels

/// Max-subtracted softmax and log-softmax over contiguous rows.
public enum Softmax {
    /// In place: x[i] = exp(x[i] - max) / sum; returns log(sum(exp(x))) of the input.
    @discardableResult
    public static func normalize(_ x: UnsafeMutablePointer<Float>, count: Int) -> Float {
        lm_softmax(x, Int64(count))
    }

    /// In place, for a causal attention row whose query is at position count - 1: adds the relative ALiBi
    /// bias -slope * (count - 1 - j), then normalises; returns the biased row's log-sum-exp.
    @discardableResult
    public static func normalize(_ x: UnsafeMutablePointer<Float>, count: Int, alibiSlope slope: Float) -> Float {
        lm_alibi_softmax(x, Int64(count), slope)
    }

    /// log(sum(exp(x))) = max + log(sum(exp(x - max))), final sum in Double.
    public static func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Double { lm_log_sum_exp(x, Int64(count)) }

    /// In place: x[i] = x[i] - logsumexp(x).
    public static func logNormalize(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let shift = Float(logSumExp(x, count: count))
        for index in 0..<count { x[index] -= shift }
    }

    /// Index of the largest element (the first on ties, as torch.argmax).
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int { Int(lm_argmax(x, Int64(count))) }
}
