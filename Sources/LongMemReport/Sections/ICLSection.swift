import LongMemHarness

/// In-context learning on the five NLU tasks (LONGMEM.md 7.1): mean ± population std over seeds per task
/// and shot count, the run's average over tasks, the paper's 20-shot averages, and grouped bars per task.
///
/// Metrics read: `greedy_prefix` (the paper's metric: argmax over the whole vocabulary, correct when the
/// label word starts with it) and `label_rank` (label words ranked by log-likelihood), labelled `task`,
/// `shots` and `aggregate` = mean_over_seeds / std_over_seeds; the average carries `shots` and
/// `aggregate` = average_over_tasks, no `task`, and `tasks` (the comma-separated tasks it averages).
/// Per-seed values are not tabulated.
enum ICLSection {
    static let labels: Set<String> = ["task", "shots", "aggregate", "tasks"]
    static let taskOrder = ["icl_sst2", "icl_mr", "icl_subj", "icl_sst5", "icl_mpqa"]
    static let metricOrder = ["greedy_prefix", "label_rank"]
    static let averageColumn = "Avg"

    static func taskName(_ task: String) -> String {
        switch task {
        case "icl_sst2": return "SST-2"
        case "icl_mr": return "MR"
        case "icl_subj": return "Subj"
        case "icl_sst5": return "SST-5"
        case "icl_mpqa": return "MPQA"
        default: return task
        }
    }

    static func metricName(_ metric: String) -> String {
        switch metric {
        case "greedy_prefix": return "greedy prefix match (the paper's metric)"
        case "label_rank": return "label-word ranking by log-likelihood"
        default: return metric
        }
    }

    /// One run's figures for one metric and shot count.
    struct Slice {
        var run: ReportRun
        var mean: [String: Metric]
        var std: [String: Metric]
        var average: Metric?
    }

    static func build(_ context: ReportContext) -> ReportSection? {
        let all = context.runs.flatMap { run in
            metricOrder.flatMap { run.metrics(named: $0, required: ["shots", "aggregate"], allowed: labels) }
                .map { (run, $0) }
        }
        guard !all.isEmpty else { return nil }
        var blocks: [ReportSection.Block] = []
        let metrics = LabelOrder.canonical(all.map(\.1.name), order: metricOrder)
        let shotCounts = LabelOrder.numeric(all.map { $0.1.labels["shots"]! })
        for metric in metrics {
            for shots in shotCounts {
                let slices = makeSlices(all.filter { $0.1.name == metric && $0.1.labels["shots"] == shots })
                guard !slices.isEmpty else { continue }
                let tasks = LabelOrder.canonical(slices.flatMap(\.mean.keys), order: taskOrder)
                let figures = context.reference?.figures(metric: metric, matching: ["shots": shots]) ?? []
                blocks.append(
                    .table(
                        table(
                            metric: metric, shots: shots, tasks: tasks, slices: slices, figures: figures,
                            context: context)))
                // One chart per shot count, for the paper's metric when the runs have it.
                if metric == metrics[0] {
                    blocks.append(
                        .chart(
                            .bar(chart(metric: metric, shots: shots, tasks: tasks, slices: slices, context: context))))
                }
            }
        }
        return ReportSection(
            id: "icl", title: "In-context learning (NLU)",
            introduction: "k demonstrations drawn with Python's random.sample, one draw per seed (the paper: seeds 1 "
                + "to 6), precede each test query; memory methods also read further demonstrations (the paper: "
                + "2,000) from memory. Figures are accuracy (%) as mean ± population standard deviation over the "
                + "seeds.",
            blocks: blocks)
    }

    static func makeSlices(_ pairs: [(ReportRun, Metric)]) -> [Slice] {
        var slices: [Slice] = []
        for (run, metric) in pairs {
            var index = slices.firstIndex { $0.run.anchor == run.anchor }
            if index == nil {
                slices.append(Slice(run: run, mean: [:], std: [:], average: nil))
                index = slices.count - 1
            }
            switch (metric.labels["aggregate"], metric.labels["task"]) {
            case ("mean_over_seeds", let task?): slices[index!].mean[task] = metric
            case ("std_over_seeds", let task?): slices[index!].std[task] = metric
            case ("average_over_tasks", nil): slices[index!].average = metric
            default: break
            }
        }
        return slices.filter { !$0.mean.isEmpty || $0.average != nil }
    }

    static func table(
        metric: String, shots: String, tasks: [String], slices: [Slice], figures: [ReferenceFigure],
        context: ReportContext
    ) -> ReportTable {
        let display = MetricDisplay.of(metric)
        let runs = slices.map(\.run)
        let baseline = { (run: ReportRun) in
            context.localBaseline(for: run, among: runs).flatMap { base in slices.first { $0.run.anchor == base.anchor }
            }
        }
        var rows: [ReportRow] = slices.map { slice in
            let base = baseline(slice.run)
            var cells = tasks.map { task in
                CellFactory.measured(
                    slice.mean[task], display: display, baseline: base?.mean[task]?.value,
                    detail: slice.std[task].map { display.spread($0.value) })
            }
            let covered = slice.average?.labels["tasks"].map { $0.split(separator: ",").count } ?? slice.mean.count
            cells.append(
                CellFactory.measured(
                    slice.average, display: display, baseline: base?.average?.value,
                    detail: covered == taskOrder.count ? nil : "on \(covered) of \(taskOrder.count) tasks"))
            return ReportRow(
                kind: .measured(run: slice.run.anchor), label: slice.run.label,
                model: slice.run.model, cells: cells, notes: context.rowNotes(for: slice.run, among: runs))
        }
        rows += CellFactory.referenceRows(
            figures, columns: tasks.count + 1,
            column: { figure in
                if figure.labels["aggregate"] == "average_over_tasks" { return tasks.count }
                return figure.labels["task"].flatMap { tasks.firstIndex(of: $0) }
            }, display: display)
        var table = ReportTable(
            id: "icl-\(metric.replacingOccurrences(of: "_", with: "-"))-\(shots)-shot",
            title: "In-context learning, \(shots)-shot: \(metricName(metric))",
            caption: "Cells: accuracy % ± std over seeds (Δ: points against the measured local-window row). "
                + "Avg: the run's average over the tasks it ran; the paper's is over all five.",
            columns: tasks.map(taskName) + [averageColumn], rows: rows, footnotes: [])
        table.footnotes = Footnotes.make(for: table, context: context, topic: "icl", runs: runs)
        return table
    }

    static func chart(
        metric: String, shots: String, tasks: [String], slices: [Slice], context: ReportContext
    ) -> BarChart {
        BarChart(
            id: "chart-icl-\(shots)-shot", title: "In-context learning, \(shots)-shot: accuracy per task",
            yLabel: "accuracy (%)", groups: tasks.map(taskName) + [averageColumn],
            series: slices.map { slice in
                BarChart.Series(
                    name: slice.run.label + " · " + slice.run.model,
                    values: tasks.map { slice.mean[$0].map { $0.value * 100 } } + [
                        slice.average.map { $0.value * 100 }
                    ],
                    errors: tasks.map { slice.std[$0].map { $0.value * 100 } } + [nil],
                    style: context.style(method: slice.run.method, model: slice.run.model))
            },
            summary: "Mean accuracy (%) per task over seeds, one bar per method (\(metricName(metric))), with ± one "
                + "standard deviation over seeds as error bars; Avg is each run's average over its tasks.")
    }
}
