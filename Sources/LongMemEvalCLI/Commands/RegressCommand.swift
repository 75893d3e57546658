import ArgumentParser
import Foundation
import LongMemHarness
import LongMemReport
import LongMemTensor

/// `longmem-eval regress`: the regression gate. Compares a run's metrics with a committed baseline and
/// fails on any metric outside its tolerance or missing on either side.
struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Compare a results file with a baseline; exit non-zero on any regression or missing metric.",
        discussion: """
            The baseline (format in Reports/README.md) holds expected values keyed by metric name and labels, with \
            absolute and relative tolerances: a metric passes when |actual - expected| <= absolute or \
            <= relative * |expected|. Moves beyond tolerance fail in either direction. Prints what moved, then a \
            summary line; --junit writes one JUnit testcase per metric. --update rewrites the baseline from the \
            results (keeping its tolerances) and prints every change; without it the baseline is never written.
            """
    )

    @Option(name: .long, help: "The baseline JSON file.")
    var baseline: String

    @Option(name: .long, help: "The results.json file (or run folder) to check.")
    var results: String

    @Option(name: .long, help: "Write a JUnit XML report here (atomically).")
    var junit: String?

    @Flag(name: .long, help: "Rewrite the baseline from the results, keeping its tolerances, and print what changed.")
    var update = false

    func run() throws {
        let run = try ResultsLoader.load(path: results)
        let existing: Baseline? =
            update && !FileManager.default.fileExists(atPath: baseline) ? nil : try Baseline.load(path: baseline)
        var comparisons: [MetricComparison] = []
        if let existing {
            Self.warnAboutOrigin(existing, run.results)
            comparisons = RegressionGate.compare(results: run.results, baseline: existing)
            print(ComparisonTable.render(comparisons), terminator: "")
        }
        if let junit {
            let report = JUnitReport.render(
                comparisons, suite: "regress " + results + " against " + baseline,
                properties: [("baseline", baseline), ("results", results)])
            try AtomicFile.write(report, to: junit, createFolder: true)
            print("regress: wrote " + junit)
        }
        if update {
            let (updated, changes) = RegressionGate.update(existing, from: run.results)
            if updated == existing {
                print("regress: " + baseline + " already matches " + results + "; not rewritten")
                return
            }
            try AtomicFile.write(updated.encoded(), to: baseline, createFolder: true)
            for change in changes { print("regress: " + change) }
            if existing == nil {
                print("regress: created " + baseline + " from " + results + " (\(updated.metrics.count) metrics)")
            } else {
                print(
                    "regress: rewrote " + baseline + " from " + results
                        + " (\(changes.count) change\(changes.count == 1 ? "" : "s"))")
            }
            return
        }
        if comparisons.contains(where: { !$0.passed }) { throw ExitCode.failure }
    }

    /// A baseline taken from another model or protocol version explains a failure; say so on stderr.
    static func warnAboutOrigin(_ baseline: Baseline, _ results: EvaluationResults) {
        guard let origin = baseline.origin else { return }
        let now = Baseline.Origin(results)
        var differences: [String] = []
        if origin.model != now.model { differences.append("model \(origin.model) -> \(now.model)") }
        if origin.weightsSHA256 != now.weightsSHA256 {
            differences.append("weights \(origin.weightsSHA256.prefix(12)) -> \(now.weightsSHA256.prefix(12))")
        }
        if origin.evaluationProtocol != now.evaluationProtocol {
            differences.append("protocol \(origin.evaluationProtocol) -> \(now.evaluationProtocol)")
        }
        guard !differences.isEmpty else { return }
        FileHandle.standardError.write(
            Data(("regress: note: the baseline was taken with " + differences.joined(separator: ", ") + "\n").utf8))
    }
}
