import Foundation
import LongMemTensor

/// The folder of one run:
/// - `.lock`: held by the process running it (see `RunLock`), from opening to the object's end;
/// - `run.json`: its specification, written first;
/// - `samples.jsonl`: the per-sample log, appended durably as samples finish;
/// - `results.json`: written last, atomically, from the samples.
/// Opening a folder that already holds the same specification resumes it; finished samples are
/// skipped by id. A folder holding another specification is refused unless `fresh` is set. A folder
/// another process holds is refused in any case, before anything in it is read or deleted.
public final class EvaluationRun {
    public let directory: String
    private let lock: RunLock
    public let specification: RunSpecification
    public let log: SampleLog
    public let started: Date
    /// Samples already logged when the folder was opened: non-zero when this process resumed the run.
    public let resumedCount: Int

    public static let specificationFile = "run.json"
    public static let samplesFile = "samples.jsonl"
    public static let resultsFile = "results.json"
    public static let resumedPrefix = "resumed with"

    public init(directory: String, specification: RunSpecification, fresh: Bool = false) throws {
        self.directory = directory
        self.specification = specification
        started = Date()
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw HarnessError.unwritable(path: directory, reason: error.localizedDescription)
        }
        lock = try RunLock(directory: directory)
        let specificationPath = directory + "/" + Self.specificationFile
        if fresh {
            for file in [Self.specificationFile, Self.samplesFile, Self.resultsFile] {
                try? manager.removeItem(atPath: directory + "/" + file)
            }
        }
        if manager.fileExists(atPath: specificationPath) {
            let existing = try Self.readSpecification(specificationPath)
            guard existing == specification else {
                throw HarnessError.differentRun(path: directory, detail: Self.difference(existing, specification))
            }
        } else {
            try AtomicWrite.json(specification, to: specificationPath)
        }
        log = try SampleLog(path: directory + "/" + Self.samplesFile)
        resumedCount = log.order.count
    }

    public var finishedCount: Int { log.order.count }
    public func isFinished(_ id: String) -> Bool { log.contains(id) }
    public func record(_ sample: SampleRecord) throws { try log.append(sample) }

    /// Writes `results.json` from the finished samples' metrics. `period` overrides when the run started
    /// and finished (a merge: from the first shard's start to the last one's end); `extraNotes` are added
    /// to the specification's notes.
    @discardableResult
    public func finish(
        metrics: [Metric], tokensProcessed: Int, memory: MemoryCounters?, environment: EnvironmentInfo,
        period: ClosedRange<Date>? = nil, extraNotes: [String] = []
    )
        throws -> EvaluationResults
    {
        let s = specification
        // A shard's numbers cover part of the samples: say so wherever they are shown.
        let shardNote =
            s.shard.count > 1
            ? ["shard \(s.shard) only: merge all \(s.shard.count) shards for the whole evaluation"] : []
        // Earlier sessions' time is not known: say that the recorded period is the last session's.
        let resumeNote =
            resumedCount > 0
            ? [
                "\(Self.resumedPrefix) \(resumedCount) of \(log.order.count) samples already done: started and wall time cover the last session only"
            ]
            : []
        let results = EvaluationResults(
            task: s.task, evaluationProtocol: s.evaluationProtocol, method: s.method, model: s.model,
            options: s.options, seeds: s.seeds, dataFiles: s.dataFiles, environment: environment,
            started: period?.lowerBound ?? started, finished: period?.upperBound ?? Date(),
            tokensProcessed: tokensProcessed, memory: memory, metrics: metrics, samplesFile: Self.samplesFile,
            notes: s.notes + shardNote + resumeNote + extraNotes, sampleCount: log.order.count,
            samplesSHA256: try Digest.sha256(file: log.path))
        try AtomicWrite.json(results, to: directory + "/" + Self.resultsFile)
        return results
    }

    public static func readSpecification(_ path: String) throws -> RunSpecification {
        do { try HarnessError.requireRegularFile(path) } catch .fileNotFound {
            throw HarnessError.missingResults(path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HarnessError.missingResults(path: path)
        }
        do { return try JSONDecoder().decode(RunSpecification.self, from: data) } catch {
            throw HarnessError.malformed(path: path, line: 1)
        }
    }

    /// The first field where two specifications differ, for the error message.
    static func difference(_ a: RunSpecification, _ b: RunSpecification) -> String {
        if a.task != b.task { return "task \(a.task) vs \(b.task)" }
        let (p, q) = (a.evaluationProtocol, b.evaluationProtocol)
        if p != q { return "protocol \(p.name) v\(p.version) vs \(q.name) v\(q.version)" }
        if a.method != b.method { return "method \(a.method) vs \(b.method)" }
        if a.model.name != b.model.name { return "model \(a.model.name) vs \(b.model.name)" }
        if a.model.weightsSHA256 != b.model.weightsSHA256 {
            return "model weights sha256 \(a.model.weightsSHA256.prefix(12)) vs \(b.model.weightsSHA256.prefix(12))"
        }
        if a.model != b.model { return "model \(a.model.path) vs \(b.model.path)" }
        if a.options != b.options {
            let keys = Set(a.options.keys).union(b.options.keys).sorted().filter { a.options[$0] != b.options[$0] }
            return "options "
                + keys.map { "\($0)=\(a.options[$0] ?? .null) vs \(b.options[$0] ?? .null)" }.joined(separator: ", ")
        }
        if a.seeds != b.seeds { return "seeds \(a.seeds ?? []) vs \(b.seeds ?? [])" }
        if a.dataFiles != b.dataFiles { return "data files" }
        if a.shard != b.shard { return "shard \(a.shard) vs \(b.shard)" }
        return "notes"
    }
}

/// JSON files of a run (run.json, results.json), written whole (see `AtomicFile`).
public enum AtomicWrite {
    public static func json<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try AtomicFile.write(try encoder.encode(value) + Data("\n".utf8), to: path)
    }
}
