import Foundation
import LongMemHarness
import LongMemReport
import Testing

/// The regression gate as a library: tolerances, statuses, and what `--update` writes.
@Suite("Regression gate")
struct RegressionGateTests {
    static let key4k = "acc{prefix_length=4096,score=sum,split=ao3}"
    static let key8k = "acc{prefix_length=8192,score=sum,split=ao3}"

    func baseline() throws -> Baseline {
        try Baseline.load(path: ReportFixtures.path("baselines/chapterbreak-longmem.json"))
    }

    /// The fixture run's metrics are, in order, acc at 4096, 6144 and 8192 tokens, each scored by sum then mean.
    func results(_ edit: (inout [Metric]) -> Void = { _ in }) throws -> EvaluationResults {
        var results = try ReportFixtures.loadRuns(["chapterbreak-longmem"])[0].results
        edit(&results.metrics)
        return results
    }

    func status(_ comparisons: [MetricComparison], _ key: String) -> MetricComparison.Status? {
        comparisons.first { $0.key == key }?.status
    }

    @Test("the run the baseline was taken from passes, every metric unchanged")
    func unperturbed() throws {
        let comparisons = RegressionGate.compare(results: try results(), baseline: try baseline())
        #expect(comparisons.count == 6)
        #expect(comparisons.allSatisfy { $0.status == .unchanged })
    }

    @Test("a metric moved beyond its tolerance fails, named as a regression or an improvement")
    func perturbed() throws {
        let worse = RegressionGate.compare(
            results: try results { $0[0].value = 0.34166 }, baseline: try baseline())
        #expect(status(worse, Self.key4k) == .regressed)
        #expect(worse.filter { !$0.passed }.count == 1)
        let message = try #require(worse.first { !$0.passed }?.message)
        #expect(
            message.contains("expected 0.35166") && message.contains("actual 0.34166")
                && message.contains("tolerance absolute 0.0, relative 0.0001"))
        let better = RegressionGate.compare(results: try results { $0[0].value = 0.36166 }, baseline: try baseline())
        #expect(status(better, Self.key4k) == .improved)
        #expect(!better.first { $0.key == Self.key4k }!.passed)
    }

    @Test("a move within a per-metric tolerance passes; the same move fails under the defaults")
    func withinTolerance() throws {
        let moved = RegressionGate.compare(results: try results { $0[4].value += 0.0015 }, baseline: try baseline())
        #expect(status(moved, Self.key8k) == .withinTolerance)
        let strict = RegressionGate.compare(results: try results { $0[2].value += 0.0015 }, baseline: try baseline())
        #expect(
            status(strict, "acc{prefix_length=6144,score=sum,split=ao3}") == .regressed
                || status(strict, "acc{prefix_length=6144,score=sum,split=ao3}") == .improved)
    }

    @Test("tolerance passes when either the absolute or the relative bound holds")
    func toleranceRule() {
        let tolerance = Tolerance(absolute: 0.01, relative: 0.1)
        #expect(tolerance.accepts(expected: 0.05, actual: 0.059))  // absolute holds (relative would allow 0.005)
        #expect(tolerance.accepts(expected: 20, actual: 21.9))  // relative holds (absolute would allow 0.01)
        #expect(!tolerance.accepts(expected: 20, actual: 22.1))
        #expect(!tolerance.accepts(expected: 1, actual: .nan))
        #expect(Tolerance(absolute: 0, relative: 0).accepts(expected: 3, actual: 3))
    }

    @Test("metrics missing on either side fail")
    func missing() throws {
        let comparisons = RegressionGate.compare(
            results: try results { metrics in
                metrics.removeFirst()
                metrics.append(
                    Metric(name: "acc", value: 0.3, higherIsBetter: true, count: 964, labels: ["split": "pg19"]))
            }, baseline: try baseline())
        #expect(status(comparisons, Self.key4k) == .missingFromResults)
        #expect(status(comparisons, "acc{split=pg19}") == .missingFromBaseline)
        #expect(comparisons.filter { !$0.passed }.count == 2)
    }

    @Test("an update takes the run's values, keeps tolerances and description, and lists every change")
    func update() throws {
        let old = try baseline()
        let (updated, changes) = RegressionGate.update(
            old,
            from: try results { metrics in
                metrics[4].value = 0.4
                metrics.removeFirst()
                metrics.append(
                    Metric(name: "acc", value: 0.3, higherIsBetter: true, count: 964, labels: ["split": "pg19"]))
            })
        #expect(updated.metrics[Self.key8k] == BaselineEntry(expected: 0.4, absolute: 0.002, higherIsBetter: true))
        #expect(updated.metrics[Self.key4k] == nil)
        #expect(updated.defaults == old.defaults)
        #expect(updated.description == old.description)
        #expect(
            changes == [
                "changed \(Self.key8k): 0.383817 -> 0.4", "added acc{split=pg19}: 0.3",
                "removed \(Self.key4k) (was 0.35166)",
            ])
        let (same, none) = RegressionGate.update(old, from: try results())
        #expect(same == old)
        #expect(none.isEmpty)
    }

    @Test("JUnit XML has one testcase per metric and a failure carrying expected, actual and tolerance")
    func junit() throws {
        let comparisons = RegressionGate.compare(results: try results { $0[0].value = 0.1 }, baseline: try baseline())
        let xml = JUnitReport.render(comparisons, suite: "regress <a> & \"b\"", properties: [("results", "x&y")])
        let document = try XMLCheck.parse(xml)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "6")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        let cases = XMLCheck.elements("testcase", in: root)
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue ?? "" } == comparisons.map(\.key))
        let failures = XMLCheck.elements("failure", in: root)
        #expect(failures.count == 1)
        let message = failures.first?.attribute(forName: "message")?.stringValue ?? ""
        #expect(message.contains("expected 0.35166, actual 0.1") && message.contains("tolerance absolute"))
    }

    @Test("a baseline with a negative tolerance is rejected with the file's name")
    func badTolerance() throws {
        let folder = ReportFixtures.scratch()
        let path = folder + "/baseline.json"
        let text = try String(
            contentsOfFile: ReportFixtures.path("baselines/chapterbreak-longmem.json"), encoding: .utf8
        )
        .replacingOccurrences(of: "\"absolute\" : 0.002", with: "\"absolute\" : -1")
        try ReportFixtures.write(text, to: path)
        #expect(throws: ReportError.schemaMismatch(path: path, reason: "tolerance -1.0 is negative or not finite")) {
            try Baseline.load(path: path)
        }
    }
}
