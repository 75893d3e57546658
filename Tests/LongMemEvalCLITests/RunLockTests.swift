import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

/// A `longmem-eval` process left running while the test does other things.
final class BackgroundRun {
    let process = Process()
    private let standardError = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = arguments + ["--data-dir", FixturePaths.datasets, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = standardError
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits for the end; its exit status and standard error.
    func finish() -> (status: Int32, standardError: String) {
        let data = standardError.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("A run folder is locked by the process running it")
struct RunLockTests {
    /// Long enough (2,000 demonstrations loaded into memory after the lock is taken) that a process started
    /// at the same time reaches the lock while this one holds it.
    static func run(shots: Int, limit: Int = 12) -> [String] {
        Runs.icl(["--shots", "\(shots)", "--limit", "\(limit)", "--method", "longmem"])
    }

    @Test(
        "two different runs started on one folder at once: one refuses naming the other, the other equals a lone run",
        .timeLimit(.minutes(1)))
    func concurrentRuns() throws {
        let directory = FixturePaths.temporaryDirectory()
        let folder = directory + "/shared"
        let commands = [Self.run(shots: 4), Self.run(shots: 8)]
        let processes = try commands.map { try BackgroundRun($0 + ["--output", folder]) }
        let outcomes = processes.map { $0.finish() }
        let winners = outcomes.indices.filter { outcomes[$0].status == 0 }
        try #require(winners.count == 1, "exit statuses \(outcomes.map(\.status)): \(outcomes.map(\.standardError))")
        let winner = winners[0], loser = 1 - winner
        let message = outcomes[loser].standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcomes[loser].status != 0 && !message.contains("\n"), "\(message)")
        #expect(
            message.contains("\(folder): in use by another run (pid \(processes[winner].pid): longmem-eval icl "),
            "\(message)")

        try Runs.succeed(commands[winner] + ["--output", directory + "/lone"])
        let shared = try Runs.results(folder), lone = try Runs.results(directory + "/lone")
        #expect(shared.options == lone.options && shared.metrics == lone.metrics)
        let sharedScores = try Runs.records(folder).map { [$0.id: $0.scores] }
        let loneScores = try Runs.records(directory + "/lone").map { [$0.id: $0.scores] }
        #expect(sharedScores == loneScores)
    }

    @Test(
        "a second identical run, or one with --fresh, is refused while the first holds the folder; the first completes",
        .timeLimit(.minutes(1)))
    func identicalRun() throws {
        let folder = FixturePaths.temporaryDirectory() + "/run"
        let command = Self.run(shots: 4, limit: 40) + ["--output", folder]
        let first = try BackgroundRun(command)
        // The holder writes its pid into .lock right after taking the lock.
        let lock = folder + "/" + RunLock.file
        while (try? String(contentsOfFile: lock, encoding: .utf8))?.isEmpty ?? true {
            try #require(first.process.isRunning, "the first run ended before it held the lock")
            usleep(10_000)
        }
        for extra in [[], ["--fresh"]] {
            let second = try CommandLineRunner.run(command + extra + ["--data-dir", FixturePaths.datasets, "--quiet"])
            #expect(second.status != 0)
            #expect(
                second.standardError.contains("\(folder): in use by another run (pid \(first.pid): longmem-eval icl "),
                "\(extra): \(second.standardError)")
        }
        let outcome = first.finish()
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let results = try Runs.results(folder), records = try Runs.records(folder)
        #expect(records.count == 41, "40 queries and the memory setup")
        #expect(!results.notes.contains { $0.hasPrefix(EvaluationRun.resumedPrefix) })
        #expect(try String(contentsOfFile: lock, encoding: .utf8).isEmpty, "released at the end")
    }
}
