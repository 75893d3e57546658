import Foundation

/// The plain-text table `regress` prints: only what moved or is missing, then a one-line verdict.
public enum ComparisonTable {
    public static func render(_ comparisons: [MetricComparison]) -> String {
        let shown = comparisons.filter { $0.status != .unchanged }
        let number = { (value: Double?) in value.map { "\($0)" } ?? "-" }
        var rows: [[String]] = [["status", "metric", "expected", "actual", "difference", "allowed"]]
        for comparison in shown {
            let difference = comparison.expected.flatMap { expected in comparison.actual.map { $0 - expected } }
            rows.append([
                comparison.passed ? "ok" : "FAIL " + comparison.status.rawValue, comparison.key,
                number(comparison.expected), number(comparison.actual), number(difference),
                comparison.expected.map { "\(comparison.tolerance.allowance(for: $0))" } ?? "-",
            ])
        }
        var out = ""
        if shown.isEmpty {
            out += "no metric moved\n"
        } else {
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max()! }
            for row in rows {
                out +=
                    zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                    .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            }
        }
        let failing = comparisons.filter { !$0.passed }.count
        out += "regress: \(comparisons.count) metrics compared, \(comparisons.count - failing) within tolerance, "
        out += "\(failing) failing\n"
        return out
    }
}
