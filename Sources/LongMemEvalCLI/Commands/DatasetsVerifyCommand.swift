import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `datasets verify [NAME...]`: size and SHA-256 of every file against the manifest; non-zero exit on any
/// problem.
struct DatasetsVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the data directory's files against the manifest (size, SHA-256).",
        discussion: """
            With names, every file of those datasets must be present and match. Without names, every dataset \
            that has at least one file in the data directory is checked, and datasets with none are listed as \
            not downloaded. Exits with status 1 when a file is missing, has the wrong size or checksum, or \
            cannot be read.
            """
    )

    @OptionGroup var options: DatasetsOptions

    @Argument(help: "Dataset names (icl, icl/sst2, gpt2_bpe, longtext/pg22, chapterbreak, ...); default: all.")
    var names: [String] = []

    @Flag(help: "Print every file, not only the problems.")
    var verbose = false

    func run() throws {
        let directory = options.directory
        var results = try DatasetVerifier(directory: directory).verify(names)
        var notDownloaded: [String] = []
        if names.isEmpty {
            let groups = Dictionary(grouping: results, by: \.file.dataset)
            notDownloaded = groups.filter { $0.value.allSatisfy { $0.status == .missing } }.keys.sorted()
            results.removeAll { notDownloaded.contains($0.file.dataset) }
        }
        print("data directory: \(directory)")
        for result in results where verbose || result.status.isProblem {
            print(result.message)
        }
        let problems = results.filter(\.status.isProblem).count
        let verified = results.filter { $0.status == .verified }.count
        var summary = "\(verified) verified, \(results.count - verified - problems) unverified, \(problems) problems"
        if !notDownloaded.isEmpty { summary += "; not downloaded: " + notDownloaded.joined(separator: ", ") }
        print(summary)
        if problems > 0 { throw ExitCode(1) }
    }
}
