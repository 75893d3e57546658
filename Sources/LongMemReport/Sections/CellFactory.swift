import LongMemHarness

/// Turns metrics and reference figures into formatted cells, with the delta against the local row.
enum CellFactory {
    /// A measured cell: value, its interval (or ± stderr), and the difference to `baseline` if given.
    static func measured(
        _ metric: Metric?, display: MetricDisplay, baseline: Double?, detail: String? = nil
    ) -> ReportCell {
        guard let metric else { return .empty }
        let uncertainty = detail ?? metric.interval.flatMap(display.interval) ?? metric.stderr.map(display.spread)
        return ReportCell(
            value: display.value(metric.value), detail: uncertainty,
            delta: baseline.map { display.delta(metric.value - $0) })
    }

    /// The paper's rows for one table: figures grouped by their row label, in the paper's method order,
    /// each placed in the column `column` gives it (figures without a column are left out). Their deltas
    /// are against the paper's own local-window figure of the same column (GPT-2*): a measured row of
    /// another model is no baseline for the paper's.
    static func referenceRows(
        _ figures: [ReferenceFigure], columns: Int, column: (ReferenceFigure) -> Int?, display: MetricDisplay
    ) -> [ReportRow] {
        var baseline = [Double?](repeating: nil, count: columns)
        for figure in figures where figure.method == "local" {
            if let index = column(figure) { baseline[index] = figure.value }
        }
        var order: [String] = []
        var byRow: [String: [ReferenceFigure]] = [:]
        for figure in figures where column(figure) != nil {
            if byRow[figure.row] == nil { order.append(figure.row) }
            byRow[figure.row, default: []].append(figure)
        }
        let rowRank = { (row: String) in (MethodCatalog.rank(byRow[row]![0].method), order.firstIndex(of: row)!) }
        return order.sorted { rowRank($0) < rowRank($1) }.map { row in
            let group = byRow[row]!
            var cells = Array(repeating: ReportCell.empty, count: columns)
            for figure in group {
                let index = column(figure)!
                cells[index] = ReportCell(
                    value: display.value(figure.value),
                    delta: group[0].method == "local" ? nil : baseline[index].map { display.delta(figure.value - $0) },
                    recalled: figure.status == .recalled)
            }
            var notes: [String] = []
            for note in group.compactMap(\.note) where !notes.contains(note) { notes.append(note) }
            return ReportRow(
                kind: .reference, label: row + " (paper)", model: group[0].model, cells: cells, notes: notes)
        }
    }
}
