import Foundation

/// The summary statistics results report.
public enum Statistics {
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Population standard deviation (numpy's default, as the official ICL script reports it).
    public static func populationStandardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let average = mean(values)
        return (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count)).squareRoot()
    }

    /// Standard error of a proportion, sqrt(p (1 - p) / n).
    public static func proportionStandardError(successes: Int, count: Int) -> Double {
        guard count > 0 else { return .nan }
        let p = Double(successes) / Double(count)
        return (p * (1 - p) / Double(count)).squareRoot()
    }

    /// The Wilson score interval for a proportion (95% with z = 1.96): well behaved near 0 and 1 and for
    /// small n, unlike the normal approximation.
    public static func wilsonInterval(successes: Int, count: Int, z: Double = 1.959_963_984_540_054) -> [Double] {
        guard count > 0 else { return [0, 1] }
        let n = Double(count), p = Double(successes) / n, z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        // At 0 or n successes the bound is exactly 0 or 1 (rounding would otherwise leave 1e-17).
        return [successes == 0 ? 0 : max(0, centre - half), successes == count ? 1 : min(1, centre + half)]
    }
}
