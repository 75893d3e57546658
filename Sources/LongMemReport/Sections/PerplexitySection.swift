import LongMemHarness

/// Long-text perplexity (LONGMEM.md 7.3): token perplexity and bits per byte by dataset and length bucket,
/// the paper's PG-22 and ArXiv rows, and perplexity against memory size as a table and a chart.
///
/// Metrics read: `token_perplexity` and `bits_per_byte` labelled `dataset` (pg22, pg19, arxiv, files) and
/// `bucket` ("<5K", "5K-10K" ... ">1M", or "all" for the whole dataset); a bucket without a dataset is
/// PG-22. Book datasets are broken down by bucket, like the paper's PG-22 table; other datasets show
/// "all" only. A memory-size sweep labels every metric with `memory_size` (tokens): the bucket table then
/// shows the paper's 65,536-token setting (or the largest swept), the sweep table all of them.
/// Per-document metrics (`document`) are not tabulated.
enum PerplexitySection {
    static let labels: Set<String> = ["dataset", "bucket", "memory_size"]
    static let bucketOrder = ["<5K", "5K-10K", "10K-100K", "100K-500K", "500K-1M", ">1M", "all"]
    static let datasetOrder = ["pg22", "pg19", "arxiv"]
    static let bookDatasets: Set<String> = ["pg22", "pg19"]
    /// The memory size of the paper's language-modelling runs.
    static let paperMemorySize = "65536"

    /// Where a perplexity belongs: a dataset and a length bucket ("all" for the whole dataset).
    struct Column: Hashable {
        var dataset: String
        var bucket: String

        init(labels: [String: String]) {
            let bucket = labels["bucket"].flatMap { $0.isEmpty ? nil : $0 }
            self.bucket = bucket ?? "all"
            dataset = labels["dataset"] ?? (bucket != nil ? "pg22" : "")
        }

        /// Books are shown per bucket; other datasets (ArXiv papers, loose files) as a whole.
        var isShown: Bool { bucket == "all" || PerplexitySection.bookDatasets.contains(dataset) }

        var header: String {
            let name = PerplexitySection.datasetName(dataset)
            if name.isEmpty { return bucket }
            return bucket == "all" && !PerplexitySection.bookDatasets.contains(dataset) ? name : name + " " + bucket
        }
    }

    static func datasetName(_ dataset: String) -> String {
        switch dataset {
        case "pg22": return "PG-22"
        case "pg19": return "PG-19"
        case "arxiv": return "ArXiv"
        default: return dataset
        }
    }

    static func order(_ columns: some Sequence<Column>) -> [Column] {
        let datasets = LabelOrder.canonical(columns.map(\.dataset), order: datasetOrder)
        return Set(columns).sorted { a, b in
            let rankA = (datasets.firstIndex(of: a.dataset)!, bucketOrder.firstIndex(of: a.bucket) ?? bucketOrder.count)
            let rankB = (datasets.firstIndex(of: b.dataset)!, bucketOrder.firstIndex(of: b.bucket) ?? bucketOrder.count)
            return rankA != rankB ? rankA < rankB : a.bucket < b.bucket
        }
    }

    static func build(_ context: ReportContext) -> ReportSection? {
        var blocks: [ReportSection.Block] = []
        for metric in ["token_perplexity", "bits_per_byte"] {
            if let table = bucketTable(metric: metric, context: context) { blocks.append(.table(table)) }
        }
        blocks += sweepBlocks(context)
        guard !blocks.isEmpty else { return nil }
        return ReportSection(
            id: "perplexity", title: "Long-text perplexity",
            introduction: "Each document is fed in non-overlapping segments, in order, with the memory of the "
                + "earlier segments (reset per document); token perplexity is exp(total NLL / scored tokens) over "
                + "all documents of a cell. Lower is better. Whether a segment's first token is scored is stated in "
                + "each run's notes.",
            blocks: blocks)
    }

    /// A run's metrics for the bucket table: those without a memory size, else those at the preferred
    /// size of its sweep (with a note saying which).
    static func bucketMetrics(_ run: ReportRun, named name: String) -> (metrics: [Metric], note: String?) {
        let all = run.metrics(named: name, required: [], allowed: labels)
        let plain = all.filter { $0.labels["memory_size"] == nil }
        if !plain.isEmpty { return (plain, nil) }
        let sizes = LabelOrder.numeric(all.compactMap { $0.labels["memory_size"] })
        guard let size = sizes.contains(paperMemorySize) ? paperMemorySize : sizes.last else { return ([], nil) }
        let note = "figures at memory_size=\(size)" + (sizes.count > 1 ? " (all sizes in the sweep table)" : "")
        return (all.filter { $0.labels["memory_size"] == size }, note)
    }

    static func bucketTable(metric name: String, context: ReportContext) -> ReportTable? {
        let display = MetricDisplay.of(name)
        let rowsData = context.runs.compactMap { run -> (run: ReportRun, cells: [Column: Metric], note: String?)? in
            let (metrics, note) = bucketMetrics(run, named: name)
            let shown = metrics.map { (Column(labels: $0.labels), $0) }.filter(\.0.isShown)
            guard !shown.isEmpty else { return nil }
            return (run, Dictionary(shown) { first, _ in first }, note)
        }
        guard !rowsData.isEmpty else { return nil }
        let figures = context.reference?.figures.filter { $0.metric == name } ?? []
        let columns = order(rowsData.flatMap(\.cells.keys) + figures.map { Column(labels: $0.labels) })
        let runs = rowsData.map(\.run)
        let cellsOf = { (run: ReportRun) in rowsData.first { $0.run.anchor == run.anchor }?.cells }
        var rows: [ReportRow] = rowsData.map { run, byColumn, note in
            let baseValues = context.localBaseline(for: run, among: runs).flatMap(cellsOf)
            return ReportRow(
                kind: .measured(run: run.anchor), label: run.label, model: run.model,
                cells: columns.map {
                    CellFactory.measured(byColumn[$0], display: display, baseline: baseValues?[$0]?.value)
                },
                notes: context.rowNotes(for: run, among: runs) + [note].compactMap { $0 })
        }
        rows += CellFactory.referenceRows(
            figures, columns: columns.count, column: { columns.firstIndex(of: Column(labels: $0.labels)) },
            display: display)
        let isBPB = name == "bits_per_byte"
        var table = ReportTable(
            id: isBPB ? "perplexity-bpb" : "perplexity-buckets",
            title: isBPB
                ? "Bits per byte by dataset and length bucket" : "Token perplexity by dataset and length bucket",
            caption: "Cells: " + (isBPB ? "bits per byte" : "token perplexity")
                + " (Δ against the measured local-window row; negative is better). Buckets are document lengths "
                + "in tokens; \"all\" is the whole dataset.",
            columns: columns.map(\.header), rows: rows, footnotes: [])
        table.footnotes = Footnotes.make(for: table, context: context, topic: "perplexity", runs: runs)
        return table
    }

    /// One table and one chart per dataset with a memory-size sweep (whole-dataset perplexity).
    static func sweepBlocks(_ context: ReportContext) -> [ReportSection.Block] {
        let display = MetricDisplay.of("token_perplexity")
        let sweeps = context.runs.flatMap { run in
            run.metrics(named: "token_perplexity", required: ["memory_size"], allowed: labels)
                .filter { Column(labels: $0.labels).bucket == "all" }.map { (run: run, metric: $0) }
        }
        let datasets = LabelOrder.canonical(
            sweeps.map { Column(labels: $0.metric.labels).dataset }, order: datasetOrder)
        var blocks: [ReportSection.Block] = []
        for dataset in datasets {
            let members = sweeps.filter { Column(labels: $0.metric.labels).dataset == dataset }
            let sizes = LabelOrder.numeric(members.map { $0.metric.labels["memory_size"]! })
            var runs: [ReportRun] = []
            for member in members where !runs.contains(where: { $0.anchor == member.run.anchor }) {
                runs.append(member.run)
            }
            // Deltas are against the local run on the same documents without memory (same model if measured).
            let noMemory = { (run: ReportRun) in
                run.metrics(named: "token_perplexity", required: [], allowed: labels).first {
                    $0.labels["memory_size"] == nil && Column(labels: $0.labels) == Column(labels: ["dataset": dataset])
                }
            }
            let locals = context.runs.filter { $0.isLocal && noMemory($0) != nil }
            let rows = runs.map { run in
                let byMemory = Dictionary(
                    members.filter { $0.run.anchor == run.anchor }.map { ($0.metric.labels["memory_size"]!, $0.metric) }
                ) { first, _ in first }
                let base = context.localBaseline(for: run, among: locals).flatMap(noMemory)?.value
                return ReportRow(
                    kind: .measured(run: run.anchor), label: run.label, model: run.model,
                    cells: sizes.map { CellFactory.measured(byMemory[$0], display: display, baseline: base) },
                    notes: context.rowNotes(for: run, among: runs))
            }
            let name = datasetName(dataset).isEmpty ? "" : " (" + datasetName(dataset) + ", all documents)"
            var caption = "Cells: token perplexity with a memory bank of the column's size in tokens"
            if !locals.isEmpty {
                caption +=
                    " (Δ against the measured local-window row without memory: "
                    + locals.map { $0.model + " " + display.value(noMemory($0)!.value) }.joined(separator: ", ") + ")"
            }
            var table = ReportTable(
                id: "perplexity-memory-" + slug(dataset), title: "Token perplexity vs memory size" + name,
                caption: caption + ".", columns: sizes.map(ReportNumber.tokens), rows: rows, footnotes: [])
            table.footnotes = Footnotes.make(for: table, context: context, topic: nil, runs: runs)
            blocks.append(.table(table))
            let series = runs.map { run in
                LineChart.Series(
                    name: run.label + " · " + run.model,
                    points: members.filter { $0.run.anchor == run.anchor }.compactMap { member -> LineChart.Point? in
                        let metric = member.metric
                        guard let x = Double(metric.labels["memory_size"]!) else { return nil }
                        return LineChart.Point(
                            x: x, y: metric.value, low: metric.stderr.map { metric.value - $0 },
                            high: metric.stderr.map { metric.value + $0 })
                    }.sorted { $0.x < $1.x }, style: context.style(method: run.method, model: run.model))
            }
            let chart = LineChart(
                id: "chart-perplexity-memory-" + slug(dataset), title: "Token perplexity vs memory size" + name,
                xLabel: "memory size (tokens, log scale)", yLabel: "token perplexity", xScale: .log2,
                xTicks: sizes.compactMap { size in
                    Double(size).map { LineChart.Tick(value: $0, label: ReportNumber.tokens(size)) }
                }, yFromZero: false, series: series,
                guides: locals.map { local in
                    LineChart.Guide(
                        y: noMemory(local)!.value,
                        label: local.label + " · " + local.model + ", no memory")
                },
                summary: "Token perplexity against the memory bank's size in tokens (log scale) for each method "
                    + "with memory; the dashed line is the local model without memory.")
            blocks.append(.chart(.line(chart)))
        }
        return blocks
    }

    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        return mapped.isEmpty ? "all" : mapped
    }
}
