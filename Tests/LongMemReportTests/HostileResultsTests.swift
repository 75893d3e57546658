import Foundation
import LongMemHarness
import LongMemReport
import LongMemTestSupport
import Testing

/// Hostile results files (issue 12): every number a report shows, charts or turns into an integer is
/// checked at load, and a FIFO or folder where a results file belongs fails promptly.
@Suite("Hostile input: results files")
struct HostileResultsTests {
    func loadError(_ path: String) -> String? {
        do {
            _ = try ResultsLoader.load(path: path)
            return nil
        } catch { return "\(error)" }
    }

    /// A copy of a fixture's results with `edit` applied, in a folder of its own.
    func edited(_ edit: (inout [String: Any]) -> Void) throws -> String {
        try ReportFixtures.editedResults("chapterbreak-longmem", in: ReportFixtures.scratch(), edit)
    }

    @Test("huge, negative and malformed figures are refused, naming the field", .timeLimit(.minutes(1)))
    func numbers() throws {
        let wall = try edited { $0["wall_seconds"] = 1e300 }
        #expect(loadError(wall) == "\(wall): wall_seconds = 1e+300 is out of range (at most 1e+09)")
        let key = "acc{prefix_length=4096,score=sum,split=ao3}"
        let value = try edited { object in
            var metrics = object["metrics"] as! [[String: Any]]
            metrics[0]["value"] = 1e308
            object["metrics"] = metrics
        }
        #expect(loadError(value) == "\(value): metrics[0] (\(key)) value = 1e+308 is out of range (at most 1e+100)")
        let stderr = try edited { object in
            var metrics = object["metrics"] as! [[String: Any]]
            metrics[0]["stderr"] = -0.5
            object["metrics"] = metrics
        }
        #expect(loadError(stderr) == "\(stderr): metrics[0] (\(key)) stderr = -0.5 is negative")
        let interval = try edited { object in
            var metrics = object["metrics"] as! [[String: Any]]
            metrics[0]["interval"] = [0.1]
            object["metrics"] = metrics
        }
        #expect(
            loadError(interval)
                == "\(interval): does not match the schema (metrics[0] (\(key)) interval has 1 bounds, expected 2)")
        let infinite = ReportFixtures.scratch() + "/infinite.json"
        try String(contentsOfFile: wall, encoding: .utf8).replacingOccurrences(of: "1e+300", with: "1e999")
            .write(toFile: infinite, atomically: true, encoding: .utf8)
        #expect(loadError(infinite)?.hasPrefix("\(infinite): not valid JSON") == true, "\(loadError(infinite) ?? "")")
    }

    @Test("a type mismatch in results names the key and the value", .timeLimit(.minutes(1)))
    func typeMismatch() throws {
        let path = try ReportFixtures.editedResults("chapterbreak-longmem", in: ReportFixtures.scratch()) {
            $0["tokens_processed"] = "many"
        }
        #expect(
            loadError(path)
                == "\(path): does not match the schema (wrong type at 'tokens_processed': expected Int, "
                + "found the string \"many\")")
    }

    @Test(
        "a report built from in-memory results with infinite figures renders without trapping", .timeLimit(.minutes(1)))
    func infiniteInMemory() throws {
        var runs = try ReportFixtures.loadRuns(["perplexity-local", "perplexity-memtrm"])
        for index in runs[1].results.metrics.indices { runs[1].results.metrics[index].value = .infinity }
        runs[0].results.wallSeconds = 1e300
        let document = try ReportBuilder.build(runs: runs, reference: nil, referenceSource: nil)
        #expect(!HTMLRenderer.render(document).isEmpty)
        #expect(MarkdownRenderer.render(document).contains("inf"))
    }

    @Test("a FIFO and a folder where results.json belongs fail promptly", .timeLimit(.minutes(1)))
    func fifoAndFolder() throws {
        let folder = ReportFixtures.scratch()
        let fifo = try HostileFiles.fifo(at: folder + "/results.json")
        #expect(loadError(fifo) == "\(fifo): cannot be read (is a FIFO (named pipe), not a regular file)")
        #expect(
            loadError(folder) == "\(folder)/results.json: cannot be read (is a FIFO (named pipe), not a regular file)")
        let run = try HostileFiles.folder(at: ReportFixtures.scratch() + "/run")
        try HostileFiles.folder(at: run + "/results.json")
        #expect(loadError(run) == "\(run)/results.json: cannot be read (is a directory, not a regular file)")

        let outcome = try CommandLineRunner.run(
            ["report", fifo, "--out", ReportFixtures.scratch(), "--no-reference"], deadline: 30)
        #expect(!outcome.timedOut && outcome.status != 0)
        #expect(!outcome.standardError.contains("Fatal error"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("\(fifo): cannot be read (is a FIFO (named pipe), not a regular file)"))
    }
}
