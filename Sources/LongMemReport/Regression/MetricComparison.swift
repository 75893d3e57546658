/// The verdict on one metric: what the baseline expects, what the run measured, and whether that is a pass.
public struct MetricComparison: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        /// Equal to the expected value.
        case unchanged
        /// Moved, but within tolerance.
        case withinTolerance = "within tolerance"
        /// Moved beyond tolerance in the worse direction.
        case regressed
        /// Moved beyond tolerance in the better direction. Still a failure: in a reproduction harness an
        /// unexplained improvement is as suspect as a regression; accept it with `--update`.
        case improved
        /// Moved beyond tolerance, direction unknown (or the value is not finite).
        case changed
        /// In the baseline, absent from the results.
        case missingFromResults = "missing from results"
        /// In the results, absent from the baseline.
        case missingFromBaseline = "not in baseline"
    }

    public var key: String
    public var expected: Double?
    public var actual: Double?
    public var tolerance: Tolerance
    public var status: Status

    public init(key: String, expected: Double?, actual: Double?, tolerance: Tolerance, status: Status) {
        self.key = key
        self.expected = expected
        self.actual = actual
        self.tolerance = tolerance
        self.status = status
    }

    public var passed: Bool { status == .unchanged || status == .withinTolerance }

    /// One line for a JUnit failure: expected, actual, difference and the tolerance it broke.
    public var message: String {
        let number = { (value: Double?) in value.map { "\($0)" } ?? "none" }
        let bounds = "absolute \(tolerance.absolute), relative \(tolerance.relative)"
        switch status {
        case .missingFromResults: return "\(key): expected \(number(expected)), but the results have no such metric"
        case .missingFromBaseline:
            return
                "\(key): actual \(number(actual)), but the baseline has no such metric (run regress --update to add it)"
        default:
            let difference = (expected != nil && actual != nil) ? "\(actual! - expected!)" : "n/a"
            return "\(key): expected \(number(expected)), actual \(number(actual)), difference \(difference), "
                + "tolerance \(bounds) (allows \(expected.map { tolerance.allowance(for: $0) } ?? 0)): \(status.rawValue)"
        }
    }
}
