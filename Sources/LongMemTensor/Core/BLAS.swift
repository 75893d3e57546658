import COpenBLAS
import Foundation

/// The only door to the system BLAS. Matrices are row-major; `lda`/`ldb`/`ldc` are row strides in
/// elements, so a head's slice of a (T, C) activation is addressed as a (T, D) matrix with stride C.
public enum BLAS {
    /// longmem-eval parallelises above BLAS (see `Parallel`), so every call runs single-threaded; set once,
    /// before the first product, so no call ever runs on OpenBLAS's own threads.
    @usableFromInline static let singleThreaded: Void = openblas_set_num_threads(1)

    /// C (m, n) = alpha * op(A) (m, k) * op(B) (k, n) + beta * C.
    @inlinable
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        _ = singleThreaded
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y (m) = alpha * A (m, n) x (n) + beta * y, or with A transposed: y (n) = alpha * A^T x (m) + beta y.
    @inlinable
    public static func sgemv(
        transpose: Bool = false, m: Int, n: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        _ = singleThreaded
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
            beta, y, 1)
    }

    /// Threads OpenBLAS uses for one call (1 once longmem-eval has made a product).
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS picked at load time (e.g. "Haswell", "SkylakeX", "Zen").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
