import Foundation
import LongMemTestSupport
import Testing

@testable import LongMemReport

@Suite("Training loss curves in the report")
struct TrainingSectionTests {
    /// A training folder with 45 updates (loss 10 - step / 10, validation every 15) and its training.json.
    func folder() throws -> String {
        let folder = FixturePaths.temporaryDirectory("training-report")
        let lines = (1...45).map { step in
            let validation = step % 15 == 0 ? ",\"validationLoss\":\(5.0 - Double(step) / 100)" : ""
            return
                "{\"step\":\(step),\"tokens\":\(step * 1024),\"loss\":\(10.0 - Double(step) / 10),\"wallSeconds\":\(step)\(validation)}"
        }
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: folder + "/train.jsonl", atomically: true, encoding: .utf8)
        try #"{"backbone":{"name":"smollm2-135m"},"configuration":{"initialisation":"zero-branch"}}"#.write(
            toFile: folder + "/training.json", atomically: true, encoding: .utf8)
        try #"{"validationLoss":5.25}"#.write(toFile: folder + "/start.json", atomically: true, encoding: .utf8)
        return folder
    }

    @Test("training loss averaged over 20 updates, validation loss at checkpoints, against tokens")
    func chart() throws {
        let curve = try TrainingCurve.load(folder: try folder())
        #expect(curve.name == "smollm2-135m · zero-branch SideNet" && curve.points.count == 45)
        let section = try #require(TrainingSection.build([curve]))
        guard case .chart(.line(let chart)) = try #require(section.blocks.first) else {
            Issue.record("no line chart")
            return
        }
        #expect(
            chart.series.map(\.name) == [
                "smollm2-135m · zero-branch SideNet, training", "smollm2-135m · zero-branch SideNet, validation",
            ])
        let train = chart.series[0].points
        #expect(train.map(\.x) == [20 * 1024, 40 * 1024, 45 * 1024].map(Double.init))
        #expect(abs(train[0].y - (10 - 10.5 / 10)) < 1e-12 && abs(train[2].y - (10 - 4.3)) < 1e-12)
        #expect(chart.series[1].points.map(\.y) == [4.85, 4.7, 4.55])
        #expect(section.introduction.contains("45 updates, 46,080 tokens"))
        #expect(section.introduction.contains("(before training: 5.250)"))
        #expect(chart.guides.map(\.y) == [5.25])
        let document = try ReportBuilder.build(runs: [], trainings: [curve], reference: nil)
        #expect(HTMLRenderer.render(document).contains("<svg"))
    }

    @Test("a malformed train.jsonl line is an error naming the file and line")
    func malformed() throws {
        let folder = try folder()
        try "{\"step\":1}\n".write(toFile: folder + "/train.jsonl", atomically: true, encoding: .utf8)
        #expect(throws: ReportError.self) { try TrainingCurve.load(folder: folder) }
    }
}

@Suite("Rows of a SideNet trained here say so, with its tokens")
struct TrainedSideNetLabelTests {
    @Test("LongMem and its memory-off ablation from a trained folder's note; others unchanged")
    func labels() {
        let note =
            "SideNet trained here: 2048000 tokens (1000 updates, zero-branch initialisation) on the train dataset"
        #expect(MethodCatalog.display("longmem", notes: [note]) == "LongMem (SideNet trained here on 2,048,000 tokens)")
        #expect(
            MethodCatalog.display("longmem-no-memory", notes: ["x", note])
                == "LongMem SideNet, memory off (trained here on 2,048,000 tokens)")
        #expect(MethodCatalog.display("longmem", notes: ["untrained SideNet"]) == "LongMem")
        #expect(MethodCatalog.display("memtrm", notes: [note]) == "MemTRM-style")
    }

    @Test("the model column names a trained folder's backbone; other models keep their folder name")
    func model() {
        let note =
            "SideNet trained here: 2048000 tokens (250 updates, zero-branch initialisation) on the train dataset,"
            + " validation loss 3.4437; backbone smollm2-135m (weights sha256 b179c9523d0e)"
        #expect(MethodCatalog.model("model", notes: ["memory_demos=0", note]) == "smollm2-135m + SideNet")
        #expect(MethodCatalog.model("gpt2", notes: ["memory_demos=0"]) == "gpt2")
        #expect(MethodCatalog.model("model", notes: ["SideNet trained here: 10 tokens"]) == "model")
    }

    @Test("a trained SideNet's deltas are taken against its backbone's local window, not another model's")
    func baseline() throws {
        var runs = try ReportFixtures.loadRuns(["icl-local", "icl-local", "icl-longmem"])
        runs[0].results.model.name = "gpt2"
        runs[1].results.model.name = "smollm2-135m"
        runs[1].source += "-smollm2"
        runs[2].results.model.name = "model"
        runs[2].results.notes.append(
            "SideNet trained here: 2048000 tokens (250 updates, zero-branch initialisation) on the train dataset"
                + "; backbone smollm2-135m (weights sha256 b179c9523d0e)")
        let context = ReportContext(runs: runs, reference: nil)
        let trained = try #require(context.runs.first { $0.method == "longmem" })
        #expect(trained.model == "smollm2-135m + SideNet")
        #expect(context.localBaseline(for: trained, among: context.runs)?.model == "smollm2-135m")
    }
}
