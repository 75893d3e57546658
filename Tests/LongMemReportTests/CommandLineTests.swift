import Foundation
import LongMemReport
import LongMemTestSupport
import Testing

/// `longmem-eval report` and `longmem-eval regress`, run as the built executable.
@Suite("report and regress on the command line")
struct CommandLineTests {
    static let baseline = ReportFixtures.path("baselines/chapterbreak-longmem.json")
    static let run = ReportFixtures.runFolder("chapterbreak-longmem")

    /// The fixture baseline copied into a fresh folder, so tests may let `--update` rewrite it.
    func baselineCopy() throws -> (folder: String, path: String) {
        let folder = ReportFixtures.scratch()
        let path = folder + "/baseline.json"
        try FileManager.default.copyItem(atPath: Self.baseline, toPath: path)
        return (folder, path)
    }

    /// The LongMem ChapterBreak run with its 4k accuracy lowered from 0.35166 to 0.33166.
    func perturbedRun(in folder: String) throws -> String {
        try ReportFixtures.editedResults("chapterbreak-longmem", in: folder) { object in
            var metrics = object["metrics"] as! [[String: Any]]
            metrics[0]["value"] = 0.33166
            object["metrics"] = metrics
        }
    }

    @Test("report writes report.md and report.html atomically into --out and prints their paths")
    func report() throws {
        let out = ReportFixtures.scratch() + "/nested/out"
        let runs = ReportFixtures.runNames.map(ReportFixtures.runFolder)
        let outcome = try CommandLineRunner.run(
            ["report"] + runs + ["--out", out, "--reference", ReportFixtures.referencePath])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput == out + "/report.md\n" + out + "/report.html\n")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        _ = try XMLCheck.parse(html)
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(markdown.contains("| *LongMem (paper)* |"))
        #expect(markdown.contains("37.7†"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(leftovers == ["report.html", "report.md"])
    }

    @Test("report --format html --no-reference writes only the HTML, without paper rows")
    func reportFormats() throws {
        let out = ReportFixtures.scratch()
        let outcome = try CommandLineRunner.run([
            "report", ReportFixtures.runFolder("icl-local") + "/results.json", "--format", "html", "--no-reference",
            "--out", out,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out + "/report.md"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.contains("(paper)"))
    }

    @Test("regress passes an unperturbed run and prints a one-line verdict")
    func regressPasses() throws {
        let outcome = try CommandLineRunner.run(["regress", "--baseline", Self.baseline, "--results", Self.run])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            outcome.standardOutput == "no metric moved\nregress: 6 metrics compared, 6 within tolerance, 0 failing\n")
    }

    @Test("regress fails a perturbed run, prints what moved and writes JUnit XML with one testcase per metric")
    func regressFails() throws {
        let (folder, baseline) = try baselineCopy()
        let perturbed = try perturbedRun(in: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: baseline))
        let junit = folder + "/junit/regress.xml"
        let outcome = try CommandLineRunner.run([
            "regress", "--baseline", baseline, "--results", perturbed, "--junit", junit,
        ])
        #expect(outcome.status != 0)
        #expect(outcome.standardOutput.contains("FAIL regressed  acc{prefix_length=4096,score=sum,split=ao3}"))
        #expect(outcome.standardOutput.contains("regress: 6 metrics compared, 5 within tolerance, 1 failing"))
        let document = try XMLCheck.parse(try String(contentsOfFile: junit, encoding: .utf8))
        let root = try #require(document.rootElement())
        #expect(XMLCheck.elements("testcase", in: root).count == 6)
        #expect(XMLCheck.elements("failure", in: root).count == 1)
        // Without --update the baseline is never written.
        #expect(try Data(contentsOf: URL(fileURLWithPath: baseline)) == before)
    }

    @Test("regress --update rewrites the baseline from the run, keeps its tolerances and prints the change")
    func regressUpdate() throws {
        let (folder, baseline) = try baselineCopy()
        let perturbed = try perturbedRun(in: folder)
        let outcome = try CommandLineRunner.run(["regress", "--baseline", baseline, "--results", perturbed, "--update"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(
            outcome.standardOutput.contains(
                "regress: changed acc{prefix_length=4096,score=sum,split=ao3}: 0.35166 -> 0.33166"))
        #expect(outcome.standardOutput.contains("(1 change)"))
        let updated = try Baseline.load(path: baseline)
        #expect(updated.metrics["acc{prefix_length=8192,score=sum,split=ao3}"]?.absolute == 0.002)
        #expect(abs((updated.metrics["acc{prefix_length=4096,score=sum,split=ao3}"]?.expected ?? 0) - 0.33166) < 1e-12)
        // Now the perturbed run is the baseline: it passes, and a second update changes nothing.
        #expect(try CommandLineRunner.run(["regress", "--baseline", baseline, "--results", perturbed]).status == 0)
        let again = try CommandLineRunner.run(["regress", "--baseline", baseline, "--results", perturbed, "--update"])
        #expect(again.standardOutput.contains("already matches"))
    }

    @Test("regress --update creates a missing baseline with default tolerances")
    func regressCreate() throws {
        let path = ReportFixtures.scratch() + "/new-baseline.json"
        let outcome = try CommandLineRunner.run(["regress", "--baseline", path, "--results", Self.run, "--update"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("regress: created " + path))
        let created = try Baseline.load(path: path)
        #expect(created.defaults == Tolerance.newBaselineDefault)
        #expect(created.metrics.count == 6)
    }
}
