import Foundation
import LongMemReport
import LongMemTensor
import Testing

/// Renders the committed fixture runs and compares byte for byte with the committed snapshots.
/// `LONGMEM_EVAL_UPDATE_SNAPSHOTS=1 swift test --filter SnapshotTests` rewrites them after a deliberate change.
@Suite("Report snapshots")
struct SnapshotTests {
    func check(_ rendered: String, snapshot name: String) throws {
        let path = ReportFixtures.path("snapshots/" + name)
        if ReportFixtures.updatingSnapshots {
            try AtomicFile.write(rendered, to: path, createFolder: true)
            return
        }
        let expected = try #require(
            try? String(contentsOfFile: path, encoding: .utf8),
            "\(path) is missing: run with LONGMEM_EVAL_UPDATE_SNAPSHOTS=1 to create it")
        guard rendered != expected else { return }
        let renderedLines = rendered.components(separatedBy: "\n")
        let expectedLines = expected.components(separatedBy: "\n")
        let first = zip(renderedLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }
        let line = first?.offset ?? min(renderedLines.count, expectedLines.count)
        Issue.record(
            """
            \(name) differs from the snapshot at line \(line + 1) (LONGMEM_EVAL_UPDATE_SNAPSHOTS=1 rewrites it):
              snapshot: \(line < expectedLines.count ? expectedLines[line] : "(end of file)")
              rendered: \(line < renderedLines.count ? renderedLines[line] : "(end of file)")
            """)
    }

    @Test("the Markdown report of the nine fixture runs matches its snapshot")
    func markdown() throws {
        try check(MarkdownRenderer.render(ReportFixtures.document()), snapshot: "report.md")
    }

    @Test("the HTML report of the nine fixture runs matches its snapshot")
    func html() throws {
        try check(HTMLRenderer.render(ReportFixtures.document()), snapshot: "report.html")
    }

    @Test("rendering does not depend on the order the results files are given in")
    func orderIndependent() throws {
        let forward = try ReportFixtures.document()
        let backward = try ReportFixtures.document(ReportFixtures.runNames.reversed())
        #expect(MarkdownRenderer.render(forward) == MarkdownRenderer.render(backward))
        #expect(HTMLRenderer.render(forward) == HTMLRenderer.render(backward))
    }
}
