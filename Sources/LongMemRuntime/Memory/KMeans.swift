import CLongMemKernels
import LongMemTensor

/// Spherical k-means: the coarse quantizer training of `IVFChunkIndex`, as faiss trains an
/// `IndexIVFFlat` with `METRIC_INNER_PRODUCT` (`ClusteringParameters.spherical = true`, 10 iterations,
/// initial centroids a random sample of the points).
///
/// Points are assigned to the centroid of largest inner product and centroids are renormalised to unit
/// length after every update. Inner product, not L2, because it is the metric of the search: a chunk is
/// filed under the centroid a query of the same direction scores highest, and the probe ranks lists by the
/// same score. Unit length, because with unnormalised centroids a few long ones win the inner product
/// against almost every point and the lists become very unequal.
enum KMeans {
    /// Unit-length centroids (clusters, dimension) of `points` (count, dimension), count >= clusters.
    /// - Complexity: O(iterations * count * clusters * dimension) multiply-adds (one matrix product per
    ///   block of points and iteration), O(count + clusters * dimension) extra memory beyond one block of
    ///   scores.
    static func train(
        _ points: UnsafePointer<Float>, count: Int, dimension: Int, clusters: Int, iterations: Int, seed: UInt64
    ) -> [Float] {
        precondition(count >= clusters && clusters >= 1, "k-means needs at least \(clusters) points, got \(count)")
        var generator = SplitMix64(seed: seed)
        // Initial centroids: `clusters` distinct points drawn uniformly (a partial Fisher-Yates shuffle).
        var order = Array(0..<count)
        for i in 0..<clusters { order.swapAt(i, i + Int(generator.next() % UInt64(count - i))) }
        var centroids = [Float](repeating: 0, count: clusters * dimension)
        for c in 0..<clusters {
            for d in 0..<dimension { centroids[c * dimension + d] = points[order[c] * dimension + d] }
        }
        normalize(&centroids, dimension: dimension)
        var assignment = [Int32](repeating: 0, count: count)
        var sizes = [Int](repeating: 0, count: clusters)
        for _ in 0..<iterations {
            centroids.withUnsafeBufferPointer { c in
                assignment.withUnsafeMutableBufferPointer { a in
                    assign(
                        points, count: count, dimension: dimension, centroids: c.baseAddress!, clusters: clusters,
                        into: a.baseAddress!)
                }
            }
            // New centroid = direction of the sum of its points.
            centroids = [Float](repeating: 0, count: clusters * dimension)
            sizes = [Int](repeating: 0, count: clusters)
            for i in 0..<count {
                let c = Int(assignment[i])
                sizes[c] += 1
                for d in 0..<dimension { centroids[c * dimension + d] += points[i * dimension + d] }
            }
            splitLargest(&centroids, sizes: &sizes, dimension: dimension, generator: &generator)
            normalize(&centroids, dimension: dimension)
        }
        return centroids
    }

    /// Points scored per block in `assign`: about 256K scores (1 MiB), within a core's L2.
    static func blockRows(clusters: Int) -> Int { max(16, (1 << 18) / clusters) }

    /// For each point, the index of the centroid with the largest inner product (the first on ties).
    /// `scratch`, when given, holds blockRows(clusters) * clusters floats (callers that assign often keep
    /// one, so that the scores' pages are not faulted in again on every call).
    /// - Complexity: O(count * clusters * dimension), in blocks of `blockRows` points.
    static func assign(
        _ points: UnsafePointer<Float>, count: Int, dimension: Int, centroids: UnsafePointer<Float>, clusters: Int,
        into assignment: UnsafeMutablePointer<Int32>, scratch: UnsafeMutablePointer<Float>? = nil
    ) {
        let block = blockRows(clusters: clusters)
        let scores = scratch ?? .allocate(capacity: min(block, max(count, 1)) * clusters)
        defer { if scratch == nil { scores.deallocate() } }
        var best: Float = 0
        var start = 0
        while start < count {
            let rows = min(block, count - start)
            BLAS.sgemm(
                transposeB: true, m: rows, n: clusters, k: dimension, a: points + start * dimension, lda: dimension,
                b: centroids, ldb: dimension, c: scores, ldc: clusters)
            // A top-1 selection: one vector pass that skips blocks below the running best.
            for row in 0..<rows {
                lm_top_k(scores + row * clusters, Int64(clusters), 1, assignment + start + row, &best)
            }
            start += rows
        }
    }

    /// Gives each empty cluster half of the largest one, as faiss does: a copy of its centroid, the two
    /// pushed slightly apart, so the next assignment divides its points.
    private static func splitLargest(
        _ centroids: inout [Float], sizes: inout [Int], dimension: Int, generator: inout SplitMix64
    ) {
        let epsilon: Float = 1 / 1024
        for empty in sizes.indices where sizes[empty] == 0 {
            guard let largest = sizes.indices.max(by: { sizes[$0] < sizes[$1] }), sizes[largest] > 1 else { return }
            for d in 0..<dimension {
                let value = centroids[largest * dimension + d]
                let sign: Float = (generator.next() & 1) == 0 ? 1 : -1
                centroids[empty * dimension + d] = value * (1 + sign * epsilon)
                centroids[largest * dimension + d] = value * (1 - sign * epsilon)
            }
            sizes[empty] = sizes[largest] / 2
            sizes[largest] -= sizes[empty]
        }
    }

    /// Scales every row of (rows, dimension) to unit length (zero rows stay zero).
    static func normalize(_ rows: inout [Float], dimension: Int) {
        for start in stride(from: 0, to: rows.count, by: dimension) {
            var norm: Float = 0
            for d in 0..<dimension { norm += rows[start + d] * rows[start + d] }
            guard norm > 0 else { continue }
            let inverse = 1 / norm.squareRoot()
            for d in 0..<dimension { rows[start + d] *= inverse }
        }
    }
}
