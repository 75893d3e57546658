import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

@Suite("Run folders: one process at a time, a durable sample log")
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

    @Test("a torn last line is cut on opening and the log goes on after the whole lines; read leaves it as it is")
    func tornLine() throws {
        let path = FixturePaths.temporaryDirectory() + "/samples.jsonl"
        try SampleLog(path: path).append(record("a"))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"id":"b","lab"#.utf8))
        try handle.close()
        let torn = try Data(contentsOf: URL(fileURLWithPath: path))
        let read = try SampleLog.read(path)
        #expect(read.torn && read.records.map(\.id) == ["a"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == torn)

        let log = try SampleLog(path: path)
        #expect(log.order == ["a"])
        try log.append(record("c"))
        let reopened = try SampleLog.read(path)
        #expect(!reopened.torn && reopened.records.map(\.id) == ["a", "c"])
    }

    @Test("results record the log's count and digest")
    func resultsRecordTheLog() throws {
        let folder = FixturePaths.temporaryDirectory()
        let run = try EvaluationRun(directory: folder, specification: Self.specification)
        try run.record(record("a"))
        try run.record(record("b"))
        let results = try run.finish(
            metrics: [], tokensProcessed: 0, memory: nil,
            environment: EnvironmentInfo(
                gitRevision: nil, toolchain: "", threads: 1, blasCore: "", host: "", toolVersion: ""))
        #expect(results.sampleCount == 2)
        #expect(results.samplesSHA256 == (try Digest.sha256(file: folder + "/samples.jsonl")))
    }
}
