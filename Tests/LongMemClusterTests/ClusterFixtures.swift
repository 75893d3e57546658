import Foundation
import LongMemCluster
import LongMemTestSupport
import Testing

/// The evaluation the snapshots are made of, and helpers shared by the suites.
enum ClusterFixtures {
    /// One argument holds spaces, both quotes, `$` and `$(...)`: the scripts and manifests must pass it on
    /// unchanged.
    static let arguments = [
        "ppl", "--model", "smollm2-135m", "--method", "memtrm", "--files",
        #"/shared/texts/Alice's "Adventures" $HOME $(JOB_COMPLETION_INDEX).txt"#, "--window", "2048", "--threads", "4",
    ]

    static func evaluation(runFolder: String = "/shared/runs/ppl-demo", shards: Int = 4) throws -> ShardedEvaluation {
        try ShardedEvaluation(arguments: arguments, shards: shards, runFolder: runFolder, name: "ppl-demo")
    }

    /// `LONGMEM_EVAL_UPDATE_SNAPSHOTS=1 swift test --filter LongMemClusterTests` rewrites the snapshots.
    static func check(_ text: String, snapshot name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = FixturePaths.fixture("cluster/" + name)
        if ProcessInfo.processInfo.environment["LONGMEM_EVAL_UPDATE_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        guard text != expected else { return }
        let (a, b) = (text.components(separatedBy: "\n"), expected.components(separatedBy: "\n"))
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        Issue.record(
            """
            \(name) differs from its snapshot at line \(line + 1) (LONGMEM_EVAL_UPDATE_SNAPSHOTS=1 rewrites it):
              snapshot:  \(line < b.count ? b[line] : "(end of file)")
              generated: \(line < a.count ? a[line] : "(end of file)")
            """, sourceLocation: sourceLocation)
    }

    /// The message of what `body` throws, or nil.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return String(describing: error) }
    }
}
