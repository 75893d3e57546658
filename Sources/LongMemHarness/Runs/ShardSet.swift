import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The run folders of one `--shard i/n` evaluation, read (never written) and checked before a merge
/// writes anything: each shard is finished (has `results.json`) and its `samples.jsonl` is whole and is
/// the log its results were computed from (same record count and SHA-256, no torn line); all come from
/// one run (task, protocol and version, method, model weights, options, seeds, data files, shard count,
/// tool version and, where both recorded it, git revision; the model's path may differ between machines);
/// each index 0..<n is given exactly once.
public struct ShardSet {
    public struct Member {
        public let folder: String
        public let specification: RunSpecification
        public let results: EvaluationResults
        public let records: [SampleRecord]
    }

    /// In the order given.
    public let members: [Member]

    /// The unsharded run the shards make up.
    public var specification: RunSpecification { members[0].specification.unsharded }

    public init(folders: [String]) throws {
        guard !folders.isEmpty else { throw HarnessError.mergeMismatch(path: ".", detail: "no shard folders given") }
        members = try folders.map(Self.read)
        let first = members[0]
        for member in members.dropFirst() {
            if let difference = Self.difference(member, first) {
                throw HarnessError.mergeMismatch(
                    path: member.folder, detail: "a shard of another run than \(first.folder): \(difference)")
            }
        }
        var seen: [Int: String] = [:]
        for member in members {
            let shard = member.specification.shard
            guard shard.index >= 0, shard.index < shard.count else {
                throw HarnessError.mergeMismatch(
                    path: member.folder, detail: "run.json names no valid shard (\(shard))")
            }
            if let other = seen[shard.index] {
                throw HarnessError.mergeMismatch(path: member.folder, detail: "shard \(shard) is \(other) too")
            }
            seen[shard.index] = member.folder
        }
        let count = first.specification.shard.count
        // Lazily: a hostile run.json may claim billions of shards.
        let missing = Array((0..<count).lazy.filter { seen[$0] == nil }.prefix(4)).map { "\($0)/\(count)" }
        guard missing.isEmpty else {
            throw HarnessError.mergeMismatch(
                path: first.folder,
                detail:
                    "shard \(missing.prefix(3).joined(separator: ", "))\(missing.count > 3 ? ", ..." : "") not given; "
                    + "need each of 0..<\(count) once")
        }
    }

    /// Refuses an output folder that is a shard folder or inside one: a merge never writes into a shard.
    public func checkOutput(_ output: String) throws {
        let target = Self.realPath(output)
        for member in members {
            let shard = Self.realPath(member.folder)
            if target == shard || target.hasPrefix(shard + "/") {
                throw HarnessError.outputInShard(path: output, shard: member.folder)
            }
        }
    }

    /// One shard folder, with its results and records; refused when unfinished or its log does not match.
    static func read(_ folder: String) throws -> Member {
        let specification = try EvaluationRun.readSpecification(folder + "/" + EvaluationRun.specificationFile)
        let resultsPath = folder + "/" + EvaluationRun.resultsFile
        guard let data = FileManager.default.contents(atPath: resultsPath) else {
            throw HarnessError.mergeMismatch(path: folder, detail: "unfinished (no results.json): rerun its command")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let results = try? decoder.decode(EvaluationResults.self, from: data) else {
            throw HarnessError.unreadable(path: resultsPath, reason: "not a results file")
        }
        let samplesPath = folder + "/" + EvaluationRun.samplesFile
        let (records, torn) = try SampleLog.read(samplesPath)
        func refuse(_ detail: String) -> HarnessError { .mergeMismatch(path: folder, detail: detail) }
        if torn { throw refuse("samples.jsonl ends in a torn line") }
        guard let count = results.sampleCount, let digest = results.samplesSHA256 else {
            throw refuse("results.json does not record its samples (an older longmem-eval): rerun its command")
        }
        if records.count != count {
            throw refuse("samples.jsonl holds \(records.count) records, results.json says \(count)")
        }
        if try Digest.sha256(file: samplesPath) != digest {
            throw refuse("samples.jsonl changed after results.json was written")
        }
        return Member(folder: folder, specification: specification, results: results, records: records)
    }

    /// How `member` differs from the run of `first`, or nil.
    static func difference(_ member: Member, _ first: Member) -> String? {
        let (a, b) = (member.specification, first.specification)
        if a.shard.count != b.shard.count { return "shard count \(a.shard.count) vs \(b.shard.count)" }
        if identity(a) != identity(b) { return EvaluationRun.difference(identity(a), identity(b)) }
        let (x, y) = (member.results.environment, first.results.environment)
        if x.toolVersion != y.toolVersion { return "tool version \(x.toolVersion) vs \(y.toolVersion)" }
        if let r = x.gitRevision, let s = y.gitRevision, r != s { return "git revision \(r) vs \(s)" }
        return nil
    }

    /// What shards of one run share: all but the shard and the model's path.
    static func identity(_ specification: RunSpecification) -> RunSpecification {
        var copy = specification.unsharded
        copy.model.path = ""
        return copy
    }

    /// `path` absolute, with the symbolic links of its existing part resolved.
    static func realPath(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path).standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        guard let resolved = realpath(existing.path, nil) else { return existing.path }
        defer { free(resolved) }
        return ([String(cString: resolved)] + rest).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }
}
