import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

/// What `merge` must refuse: each case spoils a copy of good shards in one way.
enum MergeRefusal: String, CaseIterable, Sendable {
    case unfinished, truncated, torn, extraRecord, editedRecord, missingIndex, duplicateIndex
    case invalidShard, otherOptions, otherModel, otherProtocol, otherShardCount, otherRevision
    case outputIsShard, outputInsideShard
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}

@Suite("merge refuses bad shards with one line naming the folder, and writes nothing")
struct MergeRefusalTests {
    /// Shards 0/2 and 1/2 of one ICL run, and shards 1/2 of the same command with other options and of
    /// another git revision: run once, copied by each test.
    static let shards = Result<String, any Error> {
        let folder = FixturePaths.temporaryDirectory("longmem-eval-merge")
        let command = Runs.icl(["--shots", "4", "--seeds", "1,2", "--limit", "5"])
        let runs: [(String, [String], String)] = [
            ("s0", ["--shard", "0/2"], "1111"), ("s1", ["--shard", "1/2"], "1111"),
            ("s1-shots8", ["--shard", "1/2", "--shots", "8"], "1111"), ("s1-revision", ["--shard", "1/2"], "2222"),
        ]
        for (name, extra, revision) in runs {
            let outcome = try CommandLineRunner.run(
                command + extra + ["--output", folder + "/" + name, "--data-dir", FixturePaths.datasets, "--quiet"],
                environment: ["LONGMEM_EVAL_GIT_REVISION": revision])
            guard outcome.status == 0 else { throw FixtureFailure(description: outcome.standardError) }
        }
        return folder
    }

    @Test(.timeLimit(.minutes(1)), arguments: MergeRefusal.allCases)
    func refused(_ refusal: MergeRefusal) throws {
        let folder = FixturePaths.temporaryDirectory("longmem-eval-merge") + "/shards"
        try FileManager.default.copyItem(atPath: try Self.shards.get(), toPath: folder)
        let (s0, s1) = (folder + "/s0", folder + "/s1")
        var shards = [s0, s1], output = folder + "/merged"
        let expected: String
        switch refusal {
        case .unfinished:
            try FileManager.default.removeItem(atPath: s1 + "/results.json")
            expected = "\(s1): cannot merge: unfinished (no results.json)"
        case .truncated:
            let lines = try Self.lines(s1)
            try Self.write(lines.dropLast(), to: s1)
            expected =
                "\(s1): cannot merge: samples.jsonl holds \(lines.count - 1) records, results.json says \(lines.count)"
        case .torn:
            let samples = s1 + "/samples.jsonl"
            let data = try Data(contentsOf: URL(fileURLWithPath: samples))
            try data.dropLast(20).write(to: URL(fileURLWithPath: samples))
            expected = "\(s1): cannot merge: samples.jsonl ends in a torn line"
        case .extraRecord:
            let lines = try Self.lines(s1)
            try Self.write(lines + [lines.last!.replacingOccurrences(of: "\"id\":\"", with: "\"id\":\"extra-")], to: s1)
            expected =
                "\(s1): cannot merge: samples.jsonl holds \(lines.count + 1) records, results.json says \(lines.count)"
        case .editedRecord:
            var lines = try Self.lines(s1)
            let query = try #require(lines.firstIndex { $0.contains("\"prediction\":\"") })
            lines[query] = lines[query].replacingOccurrences(of: "\"prediction\":\"", with: "\"prediction\":\"not ")
            try Self.write(lines, to: s1)
            expected = "\(s1): cannot merge: samples.jsonl changed after results.json was written"
        case .missingIndex:
            shards = [s0]
            expected = "\(s0): cannot merge: shard 1/2 not given; need each of 0..<2 once"
        case .duplicateIndex:
            try FileManager.default.copyItem(atPath: s0, toPath: folder + "/s0-again")
            shards = [s0, s1, folder + "/s0-again"]
            expected = "\(folder)/s0-again: cannot merge: shard 0/2 is \(s0) too"
        case .invalidShard:
            try Self.editSpecification(s1) { $0.shard = Shard(index: 5, count: 2) }
            expected = "\(s1): cannot merge: run.json names no valid shard (5/2)"
        case .otherOptions:
            shards = [s0, folder + "/s1-shots8"]
            expected = "\(folder)/s1-shots8: cannot merge: a shard of another run than \(s0): options shots=8 vs 4"
        case .otherModel:
            try Self.editSpecification(s1) { $0.model.weightsSHA256 = String(repeating: "0", count: 64) }
            expected = "\(s1): cannot merge: a shard of another run than \(s0): model weights sha256 000000000000 vs "
        case .otherProtocol:
            try Self.editSpecification(s1) { $0.evaluationProtocol.version += 1 }
            expected = "\(s1): cannot merge: a shard of another run than \(s0): protocol "
        case .otherShardCount:
            try Self.editSpecification(s1) { $0.shard = Shard(index: 1, count: 3) }
            expected = "\(s1): cannot merge: a shard of another run than \(s0): shard count 3 vs 2"
        case .otherRevision:
            shards = [s0, folder + "/s1-revision"]
            expected =
                "\(folder)/s1-revision: cannot merge: a shard of another run than \(s0): git revision 2222 vs 1111"
        case .outputIsShard:
            output = s1
            expected = "--output \(s1): is shard folder \(s1) or inside it"
        case .outputInsideShard:
            output = s0 + "/merged"
            expected = "--output \(s0)/merged: is shard folder \(s0) or inside it"
        }
        let before = try Self.contents(folder)
        let outcome = try CommandLineRunner.run(["merge"] + shards + ["--output", output])
        let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcome.status != 0)
        #expect(message.contains(expected) && !message.contains("\n"), "\(message)")
        #expect(try Self.contents(folder) == before, "merge wrote something")
    }

    static func lines(_ shard: String) throws -> [String] {
        try String(contentsOfFile: shard + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func write<Lines: Sequence<String>>(_ lines: Lines, to shard: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: shard + "/samples.jsonl", atomically: true, encoding: .utf8)
    }

    static func editSpecification(_ shard: String, _ edit: (inout RunSpecification) -> Void) throws {
        let path = shard + "/run.json"
        var specification = try EvaluationRun.readSpecification(path)
        edit(&specification)
        try AtomicWrite.json(specification, to: path)
    }

    /// Every file under `folder` with its bytes.
    static func contents(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder)! {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + path, isDirectory: &isFolder)
            if !isFolder.boolValue { files[path] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + path)) }
        }
        return files
    }
}
