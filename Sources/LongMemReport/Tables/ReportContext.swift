import LongMemHarness

/// What every section builder needs: the runs in report order and the paper's figures.
struct ReportContext: Sendable {
    var runs: [ReportRun]
    var reference: PaperReference?

    /// Sorts runs by task, method (paper order), model and file name, so the report does not depend on the
    /// order of the command-line arguments or of a shell glob.
    init(runs input: [RunResults], reference: PaperReference?) {
        let taskOrder = ["chapterbreak", "perplexity", "icl"]
        let sorted = input.sorted { a, b in
            let keyA = (taskOrder.firstIndex(of: a.results.task) ?? taskOrder.count, a.results.task)
            let keyB = (taskOrder.firstIndex(of: b.results.task) ?? taskOrder.count, b.results.task)
            if keyA != keyB { return keyA < keyB }
            let methodA = (MethodCatalog.rank(a.results.method), a.results.method)
            let methodB = (MethodCatalog.rank(b.results.method), b.results.method)
            if methodA != methodB { return methodA < methodB }
            if a.results.model.name != b.results.model.name { return a.results.model.name < b.results.model.name }
            return a.source < b.source
        }
        runs = sorted.enumerated().map { index, run in
            ReportRun(results: run.results, source: run.source, anchor: "run-\(index + 1)", number: index + 1)
        }
        self.reference = reference
    }

    /// One chart style per (method, model), in report order, so a method looks the same in every chart.
    func style(method: String, model: String) -> Int {
        var pairs: [String] = []
        for run in runs where !pairs.contains(run.method + "\u{0}" + run.model) {
            pairs.append(run.method + "\u{0}" + run.model)
        }
        return pairs.firstIndex(of: method + "\u{0}" + model) ?? pairs.count
    }

    /// The paper's series take the colour and marker of the measured method they correspond to (drawn
    /// hollow and dotted); a method nobody measured gets a style after all measured ones.
    func referenceStyle(method: String) -> Int {
        if let run = runs.first(where: { $0.method == method }) { return style(method: run.method, model: run.model) }
        return style(method: "\u{0}", model: "") + MethodCatalog.rank(method)
    }

    /// The measured local row a row's delta is taken against: the local run of the same model (of the
    /// backbone, for a SideNet trained here) when there is one, else the only local run among `candidates`;
    /// none for a local row or when ambiguous.
    func localBaseline(for run: ReportRun, among candidates: [ReportRun]) -> ReportRun? {
        if run.isLocal { return nil }
        let locals = candidates.filter(\.isLocal)
        if let sameModel = locals.first(where: { $0.model == run.baselineModel }) { return sameModel }
        return locals.count == 1 ? locals[0] : nil
    }

    /// The run's notes plus the options in which it differs from the other rows of the same table.
    func rowNotes(for run: ReportRun, among runs: [ReportRun]) -> [String] {
        let differing = OptionComparison.differingKeys(runs.map(\.results.options))
        // An option the run does not have is simply not listed (the other rows show theirs).
        let settings = differing.compactMap { key in
            run.results.options[key].map { key + "=" + OptionComparison.text($0) }
        }
        return run.results.notes + settings
    }

    /// The options on which all runs of the table that set them agree.
    func sharedSettingsFootnote(among runs: [ReportRun]) -> String? {
        guard !runs.isEmpty else { return nil }
        let shared = OptionComparison.sharedOptions(runs.map(\.results.options))
        guard !shared.isEmpty else { return nil }
        return "Settings of the measured rows (the same in every row that sets them): "
            + shared.map { $0.key + "=" + OptionComparison.text($0.value) }.joined(separator: ", ") + "."
    }
}
