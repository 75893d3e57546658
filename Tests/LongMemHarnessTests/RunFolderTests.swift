import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

@Suite("Run folders: one process at a time")
struct RunFolderTests {
    static let specification = RunSpecification(
        task: "icl", evaluationProtocol: ProtocolInfo(name: "test", version: 1), method: "local",
        model: ModelInfo(name: "m", path: "/m", architecture: "gpt2", weightsSHA256: "0"), options: [:], seeds: nil,
        dataFiles: [])

    func record(_ id: String) -> SampleRecord { SampleRecord(id: id, labels: [:], inputSHA256: "") }

    @Test("a held folder is refused, naming the holder, even with fresh; released when the run ends")
    func lock() throws {
        let folder = FixturePaths.temporaryDirectory()
        var first: EvaluationRun? = try EvaluationRun(directory: folder, specification: Self.specification)
        try first!.record(record("a"))
        for fresh in [false, true] {
            do {
                _ = try EvaluationRun(directory: folder, specification: Self.specification, fresh: fresh)
                Issue.record("a second run opened a held folder (fresh: \(fresh))")
            } catch HarnessError.locked(let path, let holder) {
                #expect(path == folder && holder.hasPrefix("pid \(getpid()): longmem-eval"), "\(holder)")
            }
        }
        #expect(first!.finishedCount == 1)
        first = nil
        let again = try EvaluationRun(directory: folder, specification: Self.specification)
        #expect(again.resumedCount == 1, "the refused fresh run deleted nothing")
    }
}
