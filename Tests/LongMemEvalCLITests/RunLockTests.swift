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

    /// Pauses the process (SIGSTOP) while `body` runs, then lets it go on: it keeps whatever lock it holds,
    /// however fast its run would otherwise end.
    func paused<T>(_ body: () throws -> T) rethrows -> T {
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        return try body()
    }

    /// Waits for the end; its exit status and standard error.
    func finish() -> (status: Int32, standardError: String) {
        let data = standardError.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("A run folder is locked by the process running it")
struct RunLockTests {
    /// A run with a memory fill (2,000 demonstrations) after the lock is taken; the tests pause the holder
    /// once the lock file names it, so that the other process meets the lock whatever the machine's speed.
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
        let holder = try Self.holder(of: folder, among: processes)
        let winner = processes[holder], loser = processes[1 - holder]
        let lost = winner.paused { loser.finish() }
        let won = winner.finish()
        #expect(won.status == 0, "\(won.standardError)")
        let message = lost.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(lost.status != 0 && !message.contains("\n"), "\(message)")
        #expect(
            message.contains("\(folder): in use by another run (pid \(winner.pid): longmem-eval icl "), "\(message)")

        try Runs.succeed(commands[holder] + ["--output", directory + "/lone"])
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
        _ = try Self.holder(of: folder, among: [first])
        try first.paused {
            for extra in [[], ["--fresh"]] {
                let second = try CommandLineRunner.run(
                    command + extra + ["--data-dir", FixturePaths.datasets, "--quiet"])
                #expect(second.status != 0)
                #expect(
                    second.standardError.contains(
                        "\(folder): in use by another run (pid \(first.pid): longmem-eval icl "),
                    "\(extra): \(second.standardError)")
            }
        }
        let lock = folder + "/" + RunLock.file
        let outcome = first.finish()
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let results = try Runs.results(folder), records = try Runs.records(folder)
        #expect(records.count == 41, "40 queries and the memory setup")
        #expect(!results.notes.contains { $0.hasPrefix(EvaluationRun.resumedPrefix) })
        #expect(try String(contentsOfFile: lock, encoding: .utf8).isEmpty, "released at the end")
    }

    /// The index of the process that holds `folder`'s lock: each writes its pid into the lock file right
    /// after taking the lock, and empties it when done.
    static func holder(of folder: String, among processes: [BackgroundRun]) throws -> Int {
        let lock = folder + "/" + RunLock.file
        while true {
            let text = (try? String(contentsOfFile: lock, encoding: .utf8)) ?? ""
            if let index = processes.firstIndex(where: { text.hasPrefix("pid \($0.pid):") }) { return index }
            let running = processes.contains { $0.process.isRunning }
            try #require(running, "every run ended before the lock named one")
            usleep(2_000)
        }
    }
}
