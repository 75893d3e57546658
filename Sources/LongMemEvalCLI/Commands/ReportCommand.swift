import ArgumentParser
import Foundation
import LongMemReport
import LongMemTensor

/// `longmem-eval report`: renders results files as one Markdown and/or one HTML report, with the paper's
/// figures as labelled reference rows.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render results files as tables and charts next to the paper's numbers.",
        discussion: """
            Each RESULTS is a results.json file or a run folder holding one. Writes report.md and/or report.html \
            (one self-contained XHTML file with inline SVG charts) into --out, as one set (both written in full \
            before either replaces its old version), and prints their paths. The paper's figures come from \
            Reports/reference/paper.json, found above the current folder or the executable unless --reference \
            names it; recalled figures are marked with a dagger. The report depends only on the files' contents: \
            the same files give the same bytes.
            """
    )

    @Argument(help: "results.json files or run folders holding one; `longmem-eval train` folders add loss curves.")
    var results: [String] = []

    @Option(name: .long, help: "Comma-separated output formats: md, html.")
    var format: String = "md,html"

    @Option(name: .long, help: "Folder to write the report into (created if missing).")
    var out: String = "."

    @Option(name: .long, help: "The paper's reference figures (default: Reports/reference/paper.json).")
    var reference: String?

    @Flag(name: .long, help: "Leave out the paper's reference rows.")
    var noReference = false

    @Option(name: .long, help: "Title of the report.")
    var title: String = "longmem-eval report"

    func validate() throws {
        if noReference && reference != nil {
            throw ValidationError("--reference and --no-reference exclude each other")
        }
    }

    func run() throws {
        let formats = try Self.formats(format)
        // Training run folders (with a train.jsonl) become loss curves; everything else is a results file.
        let runs = try ResultsLoader.load(results.filter { !TrainingCurve.isTrainingFolder($0) })
        let trainings = try results.filter(TrainingCurve.isTrainingFolder).map { try TrainingCurve.load(folder: $0) }
        var paper: PaperReference?
        var paperName: String?
        if !noReference {
            let path = try reference ?? ReferenceLocator.locate(from: Self.searchStarts())
            paperName = reference ?? Self.displayPath(path)
            paper = try PaperReference.load(path: path, name: paperName)
        }
        let document = try ReportBuilder.build(
            runs: runs, trainings: trainings, reference: paper, referenceSource: paperName, title: title)
        // Render everything, then write the files as one set (all staged, then all renamed): an error never
        // leaves a new report.md beside an old report.html.
        let outputs = formats.map { format -> (path: String, data: Data) in
            let text = format == "md" ? MarkdownRenderer.render(document) : HTMLRenderer.render(document)
            return ((out as NSString).appendingPathComponent("report.\(format)"), Data(text.utf8))
        }
        try AtomicFile.write(outputs, createFolder: true)
        for output in outputs { print(output.path) }
    }

    /// "md,html" -> ["md", "html"] (order kept, duplicates dropped; "markdown" is accepted for md).
    static func formats(_ list: String) throws -> [String] {
        var formats: [String] = []
        for item in list.split(separator: ",") {
            var name = item.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "markdown" { name = "md" }
            guard name == "md" || name == "html" else { throw ReportError.unknownFormat(name) }
            if !formats.contains(name) { formats.append(name) }
        }
        guard !formats.isEmpty else { throw ReportError.unknownFormat(list) }
        return formats
    }

    /// The current folder first (a checkout), then the executable's folder (a build inside one).
    static func searchStarts() -> [String] {
        var starts = [FileManager.default.currentDirectoryPath]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            starts.append(executable.deletingLastPathComponent().path)
        }
        return starts
    }

    /// A found file named relative to the current folder when it is below it, so reports do not print
    /// machine-specific absolute paths.
    static func displayPath(_ path: String) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }
}
