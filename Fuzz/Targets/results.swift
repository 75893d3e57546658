// results: the readers of `report`, `merge` and `regress`. The first byte picks the reader ('0' to '3',
// mod 4), the rest is the file:
//   0: results.json (ResultsLoader.load), then what `report` and `regress` do with it: the report built
//      with a committed run and the paper reference and rendered as Markdown and HTML, and the comparison
//      with a committed baseline (table, JUnit, --update)
//   1: run.json (EvaluationRun.readSpecification, as `merge` reads each shard's)
//   2: samples.jsonl (SampleLog(path:), as `merge` and resuming read it)
//   3: a baseline (Baseline.load), compared with a committed results.json as `regress` does
// The committed files are read from the repository (the current folder, or FUZZ_REPOSITORY).
import Foundation
import LongMemHarness
import LongMemReport

let repository = ProcessInfo.processInfo.environment["FUZZ_REPOSITORY"] ?? FileManager.default.currentDirectoryPath
let fixedRun: RunResults = {
    do {
        return try ResultsLoader.load(
            path: repository + "/Tests/Fixtures/report/runs/chapterbreak-longmem/results.json")
    } catch { fatalError("fuzz harness: cannot read the committed results (run from the repository): \(error)") }
}()
let fixedBaseline: Baseline = {
    do {
        return try Baseline.load(path: repository + "/Tests/Fixtures/report/baselines/chapterbreak-longmem.json")
    } catch {
        fatalError("fuzz harness: cannot read the committed baseline (run from the repository): \(error)")
    }
}()
let paper: PaperReference = {
    do { return try PaperReference.load(path: repository + "/Reports/reference/paper.json") } catch {
        fatalError("fuzz harness: cannot read Reports/reference/paper.json (run from the repository): \(error)")
    }
}()

func regress(_ results: EvaluationResults, _ baseline: Baseline?) {
    if let baseline {
        let comparisons = RegressionGate.compare(results: results, baseline: baseline)
        _ = ComparisonTable.render(comparisons)
        _ = JUnitReport.render(comparisons, suite: "fuzz", properties: [("baseline", "fuzz")])
        if let origin = baseline.origin { _ = origin == Baseline.Origin(results) }
    }
    let (updated, _) = RegressionGate.update(baseline, from: results)
    _ = try? updated.encoded()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    _ = (fixedRun, fixedBaseline, paper)
    let bytes = fuzzBytes(data, size)
    let body = UnsafeRawBufferPointer(rebasing: bytes[1...])
    switch FuzzInput.selector(bytes[0], count: 4) {
    case 0:
        let path = FuzzInput.write(body, to: "results.json")
        guard let run = try? ResultsLoader.load(path: path) else { return 0 }
        for runs in [[run], [run, fixedRun]] {
            if let document = try? ReportBuilder.build(runs: runs, reference: paper, referenceSource: "paper.json") {
                _ = MarkdownRenderer.render(document)
                _ = HTMLRenderer.render(document)
            }
        }
        regress(run.results, fixedBaseline)
        regress(run.results, nil)
    case 1:
        let path = FuzzInput.write(body, to: "run.json")
        if let specification = try? EvaluationRun.readSpecification(path) {
            _ = specification == specification
        }
    case 2:
        let path = FuzzInput.write(body, to: "samples.jsonl")
        if let log = try? SampleLog(path: path) { _ = log.all.count }
    default:
        let path = FuzzInput.write(body, to: "baseline.json")
        if let baseline = try? Baseline.load(path: path) { regress(fixedRun.results, baseline) }
    }
    return 0
}
