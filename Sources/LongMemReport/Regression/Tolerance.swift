/// How far a metric may move before the regression gate fails it: it passes when
/// |actual - expected| <= absolute OR <= relative * |expected|.
///
/// Both bounds exist because neither works alone: a relative bound is useless near zero, an absolute one
/// means different things for an accuracy (0..1) and a perplexity (tens).
public struct Tolerance: Codable, Sendable, Equatable {
    public var absolute: Double
    public var relative: Double

    public init(absolute: Double, relative: Double) {
        self.absolute = absolute
        self.relative = relative
    }

    /// Used when a new baseline file is created: numbers must reproduce to four significant digits.
    public static let newBaselineDefault = Tolerance(absolute: 0, relative: 1e-4)

    /// The largest allowed |actual - expected| for this expected value.
    public func allowance(for expected: Double) -> Double { max(absolute, relative * abs(expected)) }

    public func accepts(expected: Double, actual: Double) -> Bool {
        guard expected.isFinite, actual.isFinite else { return false }
        let difference = abs(actual - expected)
        return difference <= absolute || difference <= relative * abs(expected)
    }
}
