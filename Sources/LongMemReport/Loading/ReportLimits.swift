import Foundation

/// The report's stated maxima for numbers read from results, reference and baseline files, checked at load
/// so that no figure reaches a table, a chart scale or an integer conversion unchecked.
enum ReportLimits {
    /// Largest magnitude of a figure. No metric a run writes comes near it (an untrained model's perplexity
    /// is in the thousands); it leaves sums, percentages (x100) and chart axes far from Double's 1.8e308.
    static let magnitude = 1e100
    /// Longest wall time: 1e9 seconds is 31 years, beyond any run; durations are printed as whole seconds.
    static let wallSeconds = 1e9

    /// Why `value` is not a figure a report can show, or nil.
    static func problem(_ value: Double, nonNegative: Bool = false, maximum: Double = magnitude) -> String? {
        guard value.isFinite else { return "is not a finite number" }
        if nonNegative && value < 0 { return "is negative" }
        guard abs(value) <= maximum else { return "is out of range (at most " + String(format: "%g", maximum) + ")" }
        return nil
    }

    /// Throws `badNumber` when `value`, at `field` of the file `path`, is not a figure a report can show.
    static func check(
        _ value: Double, _ field: @autoclosure () -> String, path: String, nonNegative: Bool = false,
        maximum: Double = magnitude
    ) throws {
        if let problem = problem(value, nonNegative: nonNegative, maximum: maximum) {
            throw ReportError.badNumber(path: path, field: field(), value: value, detail: problem)
        }
    }
}
