import LongMemHarness

/// Builds the provenance entry of each run: everything in the results file that says where its numbers
/// came from, so a reader can judge whether two rows are comparable and rerun either.
enum ProvenanceSection {
    static func entries(_ context: ReportContext) -> [ProvenanceEntry] {
        context.runs.map(entry)
    }

    static func entry(_ run: ReportRun) -> ProvenanceEntry {
        let results = run.results
        typealias Field = ProvenanceEntry.Field
        var fields: [Field] = [
            Field(name: "Results file", value: run.source, isCode: true),
            Field(name: "Task", value: results.task),
            Field(name: "Method", value: MethodCatalog.display(results.method) + " · id " + results.method),
            Field(name: "Protocol", value: results.evaluationProtocol.name + " v\(results.evaluationProtocol.version)"),
            Field(name: "Model", value: results.model.name + " (" + results.model.architecture + ")"),
            Field(name: "Model path", value: results.model.path, isCode: true),
            Field(name: "Weights SHA-256", value: results.model.weightsSHA256, isCode: true),
        ]
        let options = results.options.keys.sorted().map { $0 + "=" + OptionComparison.text(results.options[$0]!) }
        fields.append(
            Field(name: "Options", value: options.isEmpty ? "(none)" : options.joined(separator: ", "), isCode: true))
        if let seeds = results.seeds {
            fields.append(Field(name: "Seeds", value: seeds.map(String.init).joined(separator: ", ")))
        }
        if results.dataFiles.isEmpty { fields.append(Field(name: "Data files", value: "(none recorded)")) }
        for file in results.dataFiles.sorted(by: { $0.path < $1.path }) {
            fields.append(
                Field(
                    name: "Data file",
                    value: file.path + " · " + ReportNumber.grouped(file.bytes) + " bytes · sha256 " + file.sha256,
                    isCode: true))
        }
        let environment = results.environment
        fields += [
            Field(name: "Git revision", value: environment.gitRevision ?? "(not recorded)", isCode: true),
            Field(name: "Tool version", value: environment.toolVersion),
            Field(name: "Toolchain", value: environment.toolchain),
            Field(name: "Threads", value: String(environment.threads)),
            Field(name: "BLAS kernels", value: environment.blasCore),
            Field(name: "Host", value: environment.host),
            Field(name: "Started", value: ISO8601Timestamp.format(results.started)),
            Field(name: "Finished", value: ISO8601Timestamp.format(results.finished)),
            Field(
                name: "Wall time",
                value: ReportNumber.duration(results.wallSeconds) + " ("
                    + ReportNumber.fixed(results.wallSeconds, digits: 1) + " s)"),
        ]
        var tokens = ReportNumber.grouped(results.tokensProcessed)
        if results.wallSeconds > 0 {
            tokens +=
                " (" + ReportNumber.fixed(Double(results.tokensProcessed) / results.wallSeconds, digits: 1)
                + " tokens/s)"
        }
        fields.append(Field(name: "Tokens processed", value: tokens))
        if let memory = results.memory {
            fields.append(
                Field(
                    name: "Memory bank",
                    value: "written " + ReportNumber.grouped(memory.tokensWritten) + ", resident "
                        + ReportNumber.grouped(memory.tokensResident) + ", evicted "
                        + ReportNumber.grouped(memory.tokensEvicted) + " tokens"))
        }
        fields.append(Field(name: "Metrics", value: String(results.metrics.count)))
        fields.append(Field(name: "Samples file", value: results.samplesFile, isCode: true))
        if !results.notes.isEmpty { fields.append(Field(name: "Notes", value: results.notes.joined(separator: "; "))) }
        return ProvenanceEntry(
            anchor: run.anchor,
            title: "Run \(run.number): " + MethodCatalog.display(results.method) + " · " + results.model.name + " on "
                + results.task,
            fields: fields)
    }
}
