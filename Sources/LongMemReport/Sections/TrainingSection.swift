/// "SideNet training": each training run's loss curve (the training loss averaged over windows of
/// updates, and the validation loss at its checkpoints) against tokens trained.
enum TrainingSection {
    /// Updates per point of the training-loss series (single updates are too noisy to read).
    static let window = 20

    static func build(_ curves: [TrainingCurve]) -> ReportSection? {
        guard !curves.isEmpty else { return nil }
        var series: [LineChart.Series] = []
        var guides: [LineChart.Guide] = []
        var lines: [String] = []
        for (index, curve) in curves.enumerated() {
            let train = stride(from: 0, to: curve.points.count, by: window).map { start in
                let part = curve.points[start..<min(start + window, curve.points.count)]
                return LineChart.Point(
                    x: Double(part.last!.tokens), y: part.map(\.loss).reduce(0, +) / Double(part.count))
            }
            let validation = curve.points.compactMap { point in
                point.validationLoss.map { LineChart.Point(x: Double(point.tokens), y: $0) }
            }
            series.append(LineChart.Series(name: curve.name + ", training", points: train, style: 2 * index))
            if !validation.isEmpty {
                series.append(
                    LineChart.Series(name: curve.name + ", validation", points: validation, style: 2 * index + 1))
            }
            if let start = curve.startingValidationLoss {
                guides.append(LineChart.Guide(y: start, label: curve.name + ", validation before training"))
            }
            let last = curve.points.last!
            var line =
                "\(curve.name) (\(curve.folder)): \(last.step) updates, \(ReportNumber.grouped(last.tokens)) tokens, "
                + "\(ReportNumber.duration(last.wallSeconds)); last training loss "
                + ReportNumber.fixed(last.loss, digits: 3)
            if let validation = curve.points.last(where: { $0.validationLoss != nil })?.validationLoss {
                line += ", last validation loss " + ReportNumber.fixed(validation, digits: 3)
            }
            if let start = curve.startingValidationLoss {
                line += " (before training: " + ReportNumber.fixed(start, digits: 3) + ")"
            }
            lines.append(line + ".")
        }
        let chart = LineChart(
            id: "chart-training-loss", title: "SideNet training loss", xLabel: "tokens trained",
            yLabel: "loss (nats/token)",
            xScale: .linear, xTicks: [], yFromZero: false, series: series, guides: guides,
            summary: "Training loss (mean of each \(window) updates) and validation loss against tokens trained.")
        return ReportSection(
            id: "training", title: "SideNet training",
            introduction: "LongMem's memory-augmented adaptation run by longmem-eval train. "
                + lines.joined(separator: " "),
            blocks: [.chart(.line(chart))])
    }
}
