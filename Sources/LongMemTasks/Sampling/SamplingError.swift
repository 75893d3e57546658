/// Why `PythonRandom.sample` refused a request (where CPython's `Random.sample` raises `ValueError`).
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// More items were requested than the population holds (`k > n`).
    case sampleLargerThanPopulation(k: Int, populationCount: Int)
    /// A negative number of items was requested.
    case negativeSampleSize(k: Int)

    public var description: String {
        switch self {
        case .sampleLargerThanPopulation(let k, let n):
            "sample larger than population (k > n): asked for k = \(k) items from a population of n = \(n)"
        case .negativeSampleSize(let k):
            "sample size is negative: k = \(k)"
        }
    }
}
