import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `datasets list`: every dataset of the manifest and the state of its files in the data directory.
struct DatasetsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show which datasets are present in the data directory and whether they verify.",
        discussion: """
            Each file is checked for presence, size and SHA-256. A dataset is "verified" when every file is \
            present and matches, "present, unverified" when the manifest has no checksum (the official \
            ChapterBreak files), "not downloaded" when none of its files is there, else the problem.
            """
    )

    @OptionGroup var options: DatasetsOptions

    @Flag(help: "Print JSON: the data directory, one object per dataset and one per file.")
    var json = false

    func run() throws {
        let directory = options.directory
        let results = try DatasetVerifier(directory: directory).verify()
        let names = DatasetManifest.embedded.datasetNames
        let groups = Dictionary(grouping: results, by: \.file.dataset)
        if json {
            let datasets: [[String: Any]] = names.map { name in
                let files = groups[name] ?? []
                return [
                    "name": name, "files": files.count, "state": Self.state(of: files),
                    "present": files.filter { $0.status != .missing }.count,
                    "verified": files.filter { $0.status == .verified }.count,
                ]
            }
            let files: [[String: Any]] = results.map { result in
                ["path": result.file.path, "dataset": result.file.dataset, "status": result.status.label]
            }
            let object: [String: Any] = [
                "data_directory": directory.path, "rule": directory.rule.rawValue, "datasets": datasets,
                "files": files,
            ]
            let data = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("data directory: \(directory)")
        let width = max(7, names.map(\.count).max() ?? 0)
        print("dataset".padding(toLength: width, withPad: " ", startingAt: 0) + "  files  present  state")
        for name in names {
            let files = groups[name] ?? []
            let present = files.filter { $0.status != .missing }.count
            print(
                name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(files.count).leftPadded(5) + "  " + String(present).leftPadded(7) + "  "
                    + Self.state(of: files))
        }
    }

    /// verified / present, unverified / not downloaded / incomplete / mismatch.
    static func state(of files: [FileVerification]) -> String {
        let missing = files.filter { $0.status == .missing }.count
        let broken = files.filter { $0.status.isProblem && $0.status != .missing }.count
        if missing == files.count { return "not downloaded" }
        if broken > 0 { return "\(broken) file\(broken == 1 ? "" : "s") wrong (run `datasets verify`)" }
        if missing > 0 { return "incomplete: \(missing) of \(files.count) missing" }
        if files.contains(where: { if case .unverified = $0.status { return true } else { return false } }) {
            return "present, unverified (no published checksum)"
        }
        return "verified"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
