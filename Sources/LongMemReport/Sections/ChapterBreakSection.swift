import Foundation
import LongMemHarness

/// ChapterBreak suffix identification (LONGMEM.md 7.2): accuracy per split and prefix length, one row per
/// run and scoring rule, the paper's AO3 rows under them, and accuracy vs prefix length as a chart.
///
/// Metrics read: `acc` labelled `split` and `prefix_length` (tokens), optionally `score` (sum or mean of
/// the suffix log-probs). Accuracies are fractions with a 95% Wilson interval in `interval`.
enum ChapterBreakSection {
    static let labels: Set<String> = ["split", "prefix_length", "score"]
    /// One gold suffix among six candidates.
    static let candidates = TaskKind.chapterBreakCandidates
    static let chance = TaskKind.chapterbreak.chanceAccuracy!
    static let display = MetricDisplay.of("acc")

    /// The accuracies of one run under one scoring rule on one split, by prefix length.
    struct Slice {
        var run: ReportRun
        var score: String?
        var byPrefix: [String: Metric]
    }

    static func build(_ context: ReportContext) -> ReportSection? {
        let all = context.runs.flatMap { run in
            run.metrics(named: "acc", required: ["split", "prefix_length"], allowed: labels).map { (run, $0) }
        }
        guard !all.isEmpty else { return nil }
        let splits = LabelOrder.canonical(all.map { splitKey($0.0, $0.1) }, order: ["ao3", "pg19"])
        var blocks: [ReportSection.Block] = []
        for split in splits {
            let inSplit = makeSlices(all.filter { splitKey($0.0, $0.1) == split })
            let figures = context.reference?.figures(metric: "acc", matching: ["split": split]) ?? []
            // One table per scoring rule: the paper does not say which it used, so each gets the paper's rows.
            for score in LabelOrder.canonical(inSplit.map { $0.score ?? "" }, order: ["sum", "mean"]) {
                let slices = inSplit.filter { ($0.score ?? "") == score }
                let variant = Variant(split: split, score: score.isEmpty ? nil : score)
                blocks.append(.table(table(variant, slices: slices, figures: figures, context: context)))
                blocks.append(.chart(.line(chart(variant, slices: slices, figures: figures, context: context))))
            }
        }
        return ReportSection(
            id: "chapterbreak", title: "ChapterBreak suffix identification",
            introduction: "Each example is a long prefix ending at a chapter break and six candidate beginnings of "
                + "the next chapter (the true one and five from later in the same work). A model is correct when "
                + "no negative scores strictly higher than the gold suffix. Memory methods feed the prefix segment "
                + "by segment, earlier segments into memory, and keep its last window (less the suffix's 128 tokens) "
                + "as local context; the local-window row sees only that context.",
            blocks: blocks)
    }

    /// A table's slice of the runs: one split, one scoring rule.
    struct Variant {
        var split: String
        var score: String?

        var id: String { "chapterbreak-" + split + (score.map { "-" + $0 } ?? "") }
        var title: String { ChapterBreakSection.title(split) }
        var scoring: String {
            switch score {
            case "sum": return "candidates ranked by total log-probability"
            case "mean": return "candidates ranked by mean log-probability per token"
            case let other?: return "score=" + other
            case nil: return ""
            }
        }
    }

    /// The split a metric belongs to, with sets rebuilt by `datasets build-chapterbreak` apart from the
    /// official ones (a run records `set`).
    static func splitKey(_ run: ReportRun, _ metric: Metric) -> String {
        let split = metric.labels["split"]!
        return run.results.options["set"] == .string("rebuilt") ? rebuiltPrefix + split : split
    }

    static let rebuiltPrefix = "rebuilt-"

    /// "ChapterBreak AO3", or "ChapterBreak-PG (rebuilt)" for a rebuilt set's pg19 split.
    static func title(_ split: String) -> String {
        guard split.hasPrefix(rebuiltPrefix) else { return "ChapterBreak " + splitName(split) }
        let inner = String(split.dropFirst(rebuiltPrefix.count))
        return "ChapterBreak-PG (rebuilt)" + (inner == "pg19" ? "" : " " + splitName(inner))
    }

    static func splitName(_ split: String) -> String {
        switch split {
        case "ao3": return "AO3"
        case "pg19": return "PG-19"
        default: return split
        }
    }

    static func makeSlices(_ pairs: [(ReportRun, Metric)]) -> [Slice] {
        var slices: [Slice] = []
        for (run, metric) in pairs {
            let score = metric.labels["score"]
            if let index = slices.firstIndex(where: { $0.run.anchor == run.anchor && $0.score == score }) {
                slices[index].byPrefix[metric.labels["prefix_length"]!] = metric
            } else {
                slices.append(Slice(run: run, score: score, byPrefix: [metric.labels["prefix_length"]!: metric]))
            }
        }
        return slices.sorted { ($0.run.number, $0.score ?? "") < ($1.run.number, $1.score ?? "") }
    }

    /// The local slice a slice's deltas are taken against (see `ReportContext.localBaseline`).
    static func baseline(for slice: Slice, in slices: [Slice], context: ReportContext) -> Slice? {
        guard let run = context.localBaseline(for: slice.run, among: slices.map(\.run)) else { return nil }
        return slices.first { $0.run.anchor == run.anchor }
    }

    static func best(_ slice: Slice) -> (prefix: String, metric: Metric)? {
        slice.byPrefix.sorted { $0.key < $1.key }.max { $0.value.value < $1.value.value }.map { ($0.key, $0.value) }
    }

    static func table(
        _ variant: Variant, slices: [Slice], figures: [ReferenceFigure], context: ReportContext
    )
        -> ReportTable
    {
        let numericFigurePrefixes = figures.compactMap { $0.labels["prefix_length"] }.filter { Int($0) != nil }
        let prefixes = LabelOrder.numeric(slices.flatMap(\.byPrefix.keys) + numericFigurePrefixes)
        let columns = prefixes.map(ReportNumber.tokens) + ["best"]
        let runs = slices.map(\.run)
        var rows: [ReportRow] = slices.map { slice in
            let base = baseline(for: slice, in: slices, context: context)
            var cells = prefixes.map { prefix in
                CellFactory.measured(slice.byPrefix[prefix], display: display, baseline: base?.byPrefix[prefix]?.value)
            }
            if let (prefix, metric) = best(slice) {
                let baseBest = base.flatMap(best)?.metric.value
                cells.append(
                    CellFactory.measured(
                        metric, display: display, baseline: baseBest, detail: "at " + ReportNumber.tokens(prefix)))
            } else {
                cells.append(.empty)
            }
            return ReportRow(
                kind: .measured(run: slice.run.anchor), label: slice.run.label,
                model: slice.run.model, cells: cells, notes: context.rowNotes(for: slice.run, among: runs))
        }
        rows += CellFactory.referenceRows(
            figures, columns: columns.count,
            column: { figure in
                guard let prefix = figure.labels["prefix_length"] else { return nil }
                return prefix == "best" ? prefixes.count : prefixes.firstIndex(of: prefix)
            }, display: display)
        var table = ReportTable(
            id: variant.id,
            title: variant.title + ": accuracy (%) by prefix length"
                + (variant.score == nil ? "" : ", " + variant.scoring),
            caption: "Cells: accuracy % [95% Wilson interval] (Δ: points against the measured local-window row). "
                + "best: the highest accuracy over the prefix lengths; for the paper's rows, the figure it reports.",
            columns: columns, rows: rows, footnotes: [])
        table.footnotes = Footnotes.make(
            for: table, context: context, topic: "chapterbreak", runs: runs,
            extra: ["Chance: " + display.value(chance) + "% (one gold suffix among \(candidates) candidates)."])
        return table
    }

    static func chart(
        _ variant: Variant, slices: [Slice], figures: [ReferenceFigure], context: ReportContext
    )
        -> LineChart
    {
        var series: [LineChart.Series] = slices.map { slice in
            let points = slice.byPrefix.compactMap { prefix, metric -> LineChart.Point? in
                guard let x = Double(prefix) else { return nil }
                let bounds = metric.interval?.count == 2 ? metric.interval : nil
                return LineChart.Point(
                    x: x, y: metric.value * 100, low: bounds.map { $0[0] * 100 }, high: bounds.map { $0[1] * 100 })
            }.sorted { $0.x < $1.x }
            let name = slice.run.label + " · " + slice.run.model
            return LineChart.Series(
                name: name, points: points, style: context.style(method: slice.run.method, model: slice.run.model))
        }
        var order: [String] = []
        for figure in figures where Int(figure.labels["prefix_length"] ?? "") != nil && !order.contains(figure.row) {
            order.append(figure.row)
        }
        for row in order {
            let group = figures.filter { $0.row == row && Int($0.labels["prefix_length"] ?? "") != nil }
            let recalled = group.contains { $0.status == .recalled }
            series.append(
                LineChart.Series(
                    name: row + (recalled ? " (paper, recalled †)" : " (paper)"),
                    points: group.map { LineChart.Point(x: Double($0.labels["prefix_length"]!)!, y: $0.value * 100) }
                        .sorted { $0.x < $1.x }, isReference: true,
                    style: context.referenceStyle(method: group[0].method)))
        }
        let xs = LabelOrder.numeric(series.flatMap { $0.points.map { String(Int($0.x)) } })
        return LineChart(
            id: "chart-" + variant.id,
            title: variant.title + (variant.score.map { ", score " + $0 } ?? "") + ": accuracy vs prefix length",
            xLabel: "prefix length (tokens)", yLabel: "accuracy (%)", xScale: .linear,
            xTicks: xs.map { LineChart.Tick(value: Double($0)!, label: ReportNumber.tokens($0)) }, yFromZero: true,
            series: series, guides: [LineChart.Guide(y: chance * 100, label: "chance (1 in \(candidates))")],
            summary: "Accuracy (%) against prefix length for each measured method, with 95% Wilson intervals as "
                + "error bars; the paper's figures as hollow markers on dotted lines; chance at "
                + String(format: "%.1f%%", chance * 100) + ".")
    }
}
