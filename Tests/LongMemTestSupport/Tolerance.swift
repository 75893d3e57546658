import LongMemTensor

/// Comparison helpers for float results.
public enum Tolerance {
    /// Largest |a - b| over paired elements (infinity when the lengths differ).
    public static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    public static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Largest |a - b| / max(|b|, floor).
    public static func maxRelativeDifference(_ a: [Float], _ b: [Float], floor: Float = 1e-6) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1) / max(abs($1.1), floor)) }
    }
}

/// Test inputs drawn from the seeded generator the runtime uses.
extension SplitMix64 {
    /// Uniform values in -scale ... scale.
    public mutating func floats(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in Float.random(in: -scale...scale, using: &self) }
    }

    public mutating func tensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        Tensor(shape: shape, values: floats(shape.reduce(1, *), scale: scale))
    }
}
