import Foundation
import LongMemReport
import LongMemTestSupport

/// The committed report fixtures (Tests/Fixtures/report, written by its make_fixtures.py) and helpers.
enum ReportFixtures {
    static let runNames = [
        "chapterbreak-local", "chapterbreak-memtrm", "chapterbreak-longmem", "perplexity-local", "perplexity-memtrm",
        "perplexity-longmem", "icl-local", "icl-memtrm", "icl-longmem",
    ]

    static func path(_ relative: String) -> String { FixturePaths.fixture("report/" + relative) }

    static func runFolder(_ name: String) -> String { path("runs/" + name) }

    static var referencePath: String { FixturePaths.root + "/Reports/reference/paper.json" }

    /// The runs, each named by its path relative to the repository root, so the rendered report does not
    /// depend on where the checkout lives.
    static func loadRuns(_ names: [String] = runNames) throws -> [RunResults] {
        try names.map { name in
            try ResultsLoader.load(path: runFolder(name), name: "Tests/Fixtures/report/runs/" + name)
        }
    }

    static func loadReference() throws -> PaperReference {
        try PaperReference.load(path: referencePath, name: "Reports/reference/paper.json")
    }

    static func document(_ names: [String] = runNames) throws -> ReportDocument {
        try ReportBuilder.build(
            runs: loadRuns(names), reference: loadReference(), referenceSource: "Reports/reference/paper.json")
    }

    /// `LONGMEM_EVAL_UPDATE_SNAPSHOTS=1` rewrites snapshots instead of comparing with them.
    static var updatingSnapshots: Bool { ProcessInfo.processInfo.environment["LONGMEM_EVAL_UPDATE_SNAPSHOTS"] == "1" }

    /// A fresh folder for one test's files.
    static func scratch() -> String { FixturePaths.temporaryDirectory("longmem-report-test") }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A copy of a fixture's results.json with `edit` applied to its JSON object, written under `folder`.
    static func editedResults(
        _ name: String, in folder: String, _ edit: (inout [String: Any]) -> Void
    ) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: runFolder(name) + "/results.json"))
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        edit(&object)
        let path = folder + "/" + name + ".json"
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            .write(to: URL(fileURLWithPath: path))
        return path
    }
}
