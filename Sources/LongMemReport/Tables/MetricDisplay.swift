/// How each metric is printed. Accuracies are stored as fractions and shown as percentages with one
/// decimal, like the paper; perplexities with two decimals, like the paper; bits per byte with three.
struct MetricDisplay: Sendable {
    var scale: Double
    var digits: Int
    var unit: String

    static func of(_ metric: String) -> MetricDisplay {
        switch metric {
        case "acc", "greedy_prefix", "label_rank": return MetricDisplay(scale: 100, digits: 1, unit: "%")
        case "token_perplexity", "perplexity": return MetricDisplay(scale: 1, digits: 2, unit: "")
        case "bits_per_byte": return MetricDisplay(scale: 1, digits: 3, unit: "")
        default: return MetricDisplay(scale: 1, digits: 3, unit: "")
        }
    }

    func value(_ raw: Double) -> String { ReportNumber.fixed(raw * scale, digits: digits) }
    func delta(_ raw: Double) -> String { ReportNumber.signed(raw * scale, digits: digits) }
    func interval(_ bounds: [Double]) -> String? {
        guard bounds.count == 2 else { return nil }
        return "[" + value(bounds[0]) + ", " + value(bounds[1]) + "]"
    }
    func spread(_ raw: Double) -> String { "± " + value(raw) }
}
