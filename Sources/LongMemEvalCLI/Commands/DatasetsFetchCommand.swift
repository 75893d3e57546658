import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `datasets fetch NAME...`: downloads the named datasets' files into the data directory.
struct DatasetsFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download datasets from their canonical URLs into the data directory, verifying each file.",
        discussion: """
            Files already present and verified are skipped (--force downloads them again). Each file is \
            downloaded to a temporary file beside its final name, checked against the manifest's size and \
            SHA-256, synced, and renamed into place: a failed or cut download never leaves a partial file \
            under the final name. Progress goes to standard error. Exits with status 1 when any file fails.
            """
    )

    @OptionGroup var options: DatasetsOptions

    @Argument(help: "Dataset names (icl, icl/sst2, gpt2_bpe, longtext/pg22, chapterbreak, ...).")
    var names: [String]

    @Flag(help: "Download files even when they are present and verified.")
    var force = false

    @Option(help: "Seconds without data before a transfer is abandoned.")
    var timeout: Double = 60

    func validate() throws {
        guard !names.isEmpty else { throw ValidationError("name at least one dataset to fetch") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, got \(timeout)") }
    }

    func run() throws {
        let directory = options.directory
        print("data directory: \(directory)")
        let fetcher = DatasetFetcher(directory: directory, timeout: timeout)
        let outcomes = try fetcher.fetch(names, force: force)
        for outcome in outcomes { print(outcome.message) }
        let failures = outcomes.filter(\.isFailure).count
        if failures > 0 {
            print("\(failures) of \(outcomes.count) files failed")
            throw ExitCode(1)
        }
    }
}
