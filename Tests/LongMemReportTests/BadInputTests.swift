import Foundation
import LongMemReport
import LongMemTestSupport
import Testing

/// Bad input ends in one line that names the file and the problem, in the library and on the command line.
@Suite("Bad input")
struct BadInputTests {
    func file(_ text: String, name: String = "results.json") throws -> String {
        let path = ReportFixtures.scratch() + "/" + name
        try ReportFixtures.write(text, to: path)
        return path
    }

    /// The fixture LongMem ChapterBreak results with one edit to its JSON text.
    func edited(_ transform: (String) -> String) throws -> String {
        let text = try String(
            contentsOfFile: ReportFixtures.runFolder("chapterbreak-longmem") + "/results.json", encoding: .utf8)
        return try file(transform(text))
    }

    @Test("an empty list of inputs is refused")
    func noInputs() {
        #expect(throws: ReportError.noInputs) { try ResultsLoader.load([]) }
        #expect(throws: ReportError.noInputs) { try ReportBuilder.build(runs: [], reference: nil) }
    }

    @Test("a missing file, an empty file and a folder without results.json are named")
    func missing() throws {
        #expect(throws: ReportError.fileNotFound(path: "nowhere/results.json")) {
            try ResultsLoader.load(["nowhere/results.json"])
        }
        let empty = try file("  \n")
        #expect(throws: ReportError.emptyFile(path: empty)) { try ResultsLoader.load([empty]) }
        let folder = ReportFixtures.scratch()
        #expect(throws: ReportError.directoryWithoutResults(path: folder)) { try ResultsLoader.load([folder]) }
    }

    @Test("invalid JSON is reported with the parser's reason on one line")
    func invalidJSON() throws {
        let path = try file("{\"schema\": \"longmem-eval/results\",\n  oops }")
        do {
            _ = try ResultsLoader.load(path: path)
            Issue.record("invalid JSON was accepted")
        } catch let error as ReportError {
            guard case .invalidJSON(let named, _) = error else { Issue.record("wrong error: \(error)"); return }
            #expect(named == path)
            #expect(!error.description.contains("\n"))
            #expect(error.description.hasPrefix(path + ": not valid JSON ("))
        }
    }

    @Test("another document kind, an unsupported schema_version and a missing field are told apart")
    func schema() throws {
        let baseline = ReportFixtures.path("baselines/chapterbreak-longmem.json")
        #expect(
            throws: ReportError.wrongSchema(
                path: baseline, found: "longmem-eval/baseline", expected: "longmem-eval/results")
        ) { try ResultsLoader.load(path: baseline) }
        let future = try edited { $0.replacingOccurrences(of: "\"schema_version\": 1", with: "\"schema_version\": 2") }
        #expect(throws: ReportError.unsupportedSchemaVersion(path: future, found: 2, supported: 1)) {
            try ResultsLoader.load(path: future)
        }
        #expect(
            ReportError.unsupportedSchemaVersion(path: "r.json", found: 2, supported: 1).description
                == "r.json: schema_version 2 is not supported (this build reads 1)")
        let noMetrics = try edited { $0.replacingOccurrences(of: "\"metrics\":", with: "\"metrix\":") }
        #expect(throws: ReportError.schemaMismatch(path: noMetrics, reason: "missing key 'metrics'")) {
            try ResultsLoader.load(path: noMetrics)
        }
        let badDate = try edited {
            $0.replacingOccurrences(of: "\"started\": \"2026-11-20T19:00:00Z\"", with: "\"started\": \"yesterday\"")
        }
        #expect(
            throws: ReportError.schemaMismatch(
                path: badDate, reason: "bad value at 'started': \"yesterday\" is not an ISO-8601 date-time")
        ) {
            try ResultsLoader.load(path: badDate)
        }
    }

    @Test("a metric key that appears twice is refused: regress and reports match metrics by key")
    func duplicate() throws {
        let path = try ReportFixtures.editedResults("chapterbreak-longmem", in: ReportFixtures.scratch()) { object in
            var metrics = object["metrics"] as! [[String: Any]]
            metrics.append(metrics[0])
            object["metrics"] = metrics
        }
        #expect(throws: ReportError.duplicateMetric(path: path, key: "acc{prefix_length=4096,score=sum,split=ao3}")) {
            try ResultsLoader.load(path: path)
        }
    }

    @Test("fractional-second ISO-8601 dates are accepted")
    func fractionalDates() throws {
        let path = try edited { $0.replacingOccurrences(of: "2026-11-20T19:00:00Z", with: "2026-11-20T19:00:00.250Z") }
        let run = try ResultsLoader.load(path: path)
        #expect(ISO8601Timestamp.format(run.results.started) == "2026-11-20T19:00:00Z")
    }

    @Test(
        "the command line prints one error line naming the file and exits non-zero",
        arguments: [
            (["report"], "no results files given"),
            (["report", "missing/results.json"], "missing/results.json: no such file"),
            (["report", "--format", "pdf", "x"], "unknown report format \"pdf\""),
            (["regress", "--baseline", "missing-baseline.json", "--results", "x"], "x: no such file"),
        ])
    func commandLine(arguments: [String], message: String) throws {
        let outcome = try CommandLineRunner.run(arguments)
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains(message), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains("Fatal error"))
        #expect(outcome.standardError.split(separator: "\n").count == 1, "\(outcome.standardError)")
    }

    @Test("regress names a missing baseline and an invalid one")
    func regressBaseline() throws {
        let run = ReportFixtures.runFolder("chapterbreak-longmem")
        let missing = try CommandLineRunner.run(["regress", "--baseline", "no-such-baseline.json", "--results", run])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("no-such-baseline.json: no such file"))
        let invalid = try file("[1, 2", name: "baseline.json")
        let outcome = try CommandLineRunner.run(["regress", "--baseline", invalid, "--results", run, "--update"])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains(invalid + ": not valid JSON"))
        #expect(try String(contentsOfFile: invalid, encoding: .utf8) == "[1, 2")
    }
}
