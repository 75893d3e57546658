/// Assembles a `ReportDocument` from loaded runs and, optionally, the paper's reference figures.
public enum ReportBuilder {
    /// - Parameters:
    ///   - runs: loaded results files, in any order (the report sorts them).
    ///   - reference: the paper's figures; nil leaves the reference rows out (and says so).
    ///   - referenceSource: the name to print for the reference file.
    ///   - trainings: SideNet training runs, drawn as loss curves.
    public static func build(
        runs: [RunResults], trainings: [TrainingCurve] = [], reference: PaperReference?,
        referenceSource: String? = nil, title: String = "longmem-eval report"
    ) throws -> ReportDocument {
        guard !runs.isEmpty || !trainings.isEmpty else { throw ReportError.noInputs }
        let context = ReportContext(runs: runs, reference: reference)
        let sections = [
            ChapterBreakSection.build(context), PerplexitySection.build(context), ICLSection.build(context),
            TrainingSection.build(trainings),
        ].compactMap { $0 }
        return ReportDocument(
            title: title, overview: overview(context, referenceSource: referenceSource), sections: sections,
            provenance: ProvenanceSection.entries(context), notes: notes(context, sections: sections))
    }

    static func overview(_ context: ReportContext, referenceSource: String?) -> [String] {
        var counts: [String: Int] = [:]
        for run in context.runs { counts[run.results.task, default: 0] += 1 }
        let tasks = LabelOrder.canonical(counts.keys, order: ["chapterbreak", "perplexity", "icl"])
            .map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
        var models: [String] = []
        for run in context.runs where !models.contains(run.model) { models.append(run.model) }
        var lines = [
            "\(context.runs.count) run\(context.runs.count == 1 ? "" : "s") (\(tasks)); "
                + "model\(models.count == 1 ? "" : "s"): \(models.joined(separator: ", ")).",
            "Rows are measured runs; each links to its provenance entry. Δ is the difference to the measured "
                + "local-window row: of the same model when there is one, else of the only local run; in a paper's row, "
                + "to the paper's GPT-2* figure.",
        ]
        if let reference = context.reference {
            var line =
                "Rows marked (paper) are the published figures of " + reference.source + ", transcribed from "
                + reference.transcribedFrom
            if let referenceSource { line += " (" + referenceSource + ")" }
            lines.append(line + "; they were not measured here, and † marks recalled figures that are not confirmed.")
        } else {
            lines.append("No paper reference was loaded: the tables show measured rows only.")
        }
        return lines
    }

    /// Each run's notes, and a line for any run none of whose metrics fit a table (never dropped silently).
    static func notes(_ context: ReportContext, sections: [ReportSection]) -> [String] {
        var shown = Set<String>()
        for section in sections {
            for case .table(let table) in section.blocks {
                for row in table.rows { if case .measured(let run) = row.kind { shown.insert(run) } }
            }
        }
        var lines: [String] = []
        for run in context.runs {
            let name = "Run \(run.number) (" + MethodCatalog.display(run.method) + " · " + run.model + ")"
            for note in run.results.notes { lines.append(name + ": " + note) }
            if !shown.contains(run.anchor) {
                lines.append(
                    name + ": none of its \(run.results.metrics.count) metrics fit a table of this report (task "
                        + run.results.task + "); see " + run.source + ".")
            }
        }
        return lines
    }
}
