import Foundation
import LongMemTestSupport
import Testing

@Suite("report replaces report.md and report.html together or not at all")
struct ReportWriteTests {
    func report(_ out: String, title: String) throws -> CommandLineRunner.Outcome {
        try CommandLineRunner.run([
            "report", ReportFixtures.runFolder("icl-local"), "--no-reference", "--title", title, "--out", out,
        ])
    }

    @Test("when report.html cannot be replaced, report.md is not replaced either", .timeLimit(.minutes(1)))
    func failedSecondWrite() throws {
        let out = ReportFixtures.scratch()
        #expect(try report(out, title: "old").status == 0)
        let oldMarkdown = try Data(contentsOf: URL(fileURLWithPath: out + "/report.md"))
        // A folder in report.html's place: nothing can be renamed over it.
        try FileManager.default.removeItem(atPath: out + "/report.html")
        try FileManager.default.createDirectory(atPath: out + "/report.html/x", withIntermediateDirectories: true)
        let outcome = try report(out, title: "new")
        #expect(outcome.status != 0)
        #expect(
            outcome.standardError.contains("\(out)/report.html: cannot write: it is a folder"),
            "\(outcome.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/report.md")) == oldMarkdown)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["report.html", "report.md"])
    }

    @Test("--out naming a file is refused with one line naming it", .timeLimit(.minutes(1)))
    func outIsAFile() throws {
        let file = ReportFixtures.scratch() + "/notes.txt"
        try "keep".write(toFile: file, atomically: true, encoding: .utf8)
        let outcome = try report(file, title: "t")
        let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcome.status != 0 && !message.contains("\n"))
        #expect(message.contains("\(file)/report.md: cannot write: \(file) is a file, not a folder"), "\(message)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep")
    }
}
