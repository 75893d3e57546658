import CLongMemKernels

/// Vectorised reductions and transcendental functions (C kernels, see CLongMemKernels.h).
public enum VectorMath {
    /// Largest of `count` floats (`-infinity` when empty).
    @inlinable
    public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float { lm_max(x, Int64(count)) }

    /// Sum of `count` floats, accumulated in Double.
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double { lm_sum(x, Int64(count)) }

    /// In place: x = e^x (0 below Float32's underflow), about 2 ulp.
    @inlinable
    public static func exp(_ x: UnsafeMutablePointer<Float>, count: Int) { lm_exp(x, Int64(count)) }
}
