import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import LongMemTraining
import Testing

/// Mean next-token cross-entropy of `hidden` (T, C) through `head` (Double, naive).
func meanLoss(hidden: Tensor, head: Linear, targets: [Int]) -> Double {
    let logits = Tensor(zeros: [hidden.rows, head.outputFeatures])
    head(hidden, into: logits)
    var total = 0.0
    for t in 0..<hidden.rows {
        let row = (0..<logits.columns).map { Double(logits.row(t)[$0]) }
        let peak = row.max()!
        total += log(row.map { exp($0 - peak) }.reduce(0, +)) + peak - row[targets[t]]
    }
    return total / Double(hidden.rows)
}

/// Per-token log-probabilities of the targets (for exact-reproduction checks).
func targetLogProbabilities(hidden: Tensor, head: Linear, targets: [Int]) -> [Double] {
    let logits = Tensor(zeros: [hidden.rows, head.outputFeatures])
    head(hidden, into: logits)
    return (0..<hidden.rows).map { t in
        let row = (0..<logits.columns).map { Double(logits.row(t)[$0]) }
        let peak = row.max()!
        return row[targets[t]] - peak - log(row.map { exp($0 - peak) }.reduce(0, +))
    }
}

@Suite("A trained SideNet folder runs in the runtime exactly as it trained")
struct SideNetConsistencyTests {
    /// Writes the fixture's SideNet as a trained model folder (Float32 memory) and loads it as LongMem.
    func folder(_ fixture: TrainingFixture, sideNet: TrainableSideNet, memory: MemoryConfiguration) throws -> String {
        let path = FixturePaths.temporaryDirectory() + "/model"
        try TrainedModelFolder.write(
            sideNet,
            backbone: BackboneReference(
                path: FixturePaths.fixture("training/\(fixture.family)/backbone"), name: fixture.family,
                weightsSHA256: "test"),
            memory: memory,
            provenance: TrainingProvenance(
                steps: 0, tokens: 0, wallSeconds: 0, corpus: "test", initialisation: sideNet.initialisation.rawValue,
                finalTrainingLoss: nil, finalValidationLoss: nil),
            to: path)
        return path
    }

    @Test(
        "runtime LongMem losses on 3 segments (memory path included) equal the training graph's",
        arguments: ["newgpt", "llama"])
    func runtimeEqualsTraining(family: String) throws {
        let fixture = try TrainingFixture(family)
        let sideNet = try fixture.makeSideNet()
        let bank = try fixture.makeMemory()
        let path = try folder(fixture, sideNet: sideNet, memory: bank.configuration)
        let model = try MethodLoader.load(
            try ModelDirectory(path: path), method: .longmem, memory: MemoryOptions(precision: .float32))
        #expect(model.method == .longmem && model.runDescription.notes.contains { $0.contains("SideNet trained here") })
        for segment in 0..<TrainingFixture.segments {
            let trained = try sideNet.loss(
                segment: fixture.inputs(segment), targets: fixture.targets(segment), backbone: fixture.backbone,
                memory: bank, backward: false)
            let hidden = try model.forwardSegment(fixture.inputs(segment), remember: true)
            let runtime = meanLoss(hidden: hidden, head: model.outputHead, targets: fixture.targets(segment))
            #expect(
                abs(runtime - trained) <= 1e-5 * abs(trained), "\(family) segment \(segment): \(runtime) vs \(trained)")
            #expect(abs(Float(trained) - (try fixture.value("loss.A.\(segment)"))) <= 1e-4)
        }
    }

    @Test("longmem-no-memory: the same SideNet with memory off on every segment, nothing written", arguments: ["llama"])
    func memoryOff(family: String) throws {
        let fixture = try TrainingFixture(family)
        let sideNet = try fixture.makeSideNet()
        let bank = try fixture.makeMemory()
        let path = try folder(fixture, sideNet: sideNet, memory: bank.configuration)
        let model = try MethodLoader.load(
            try ModelDirectory(path: path), method: .longmemNoMemory, memory: MemoryOptions(precision: .float32))
        #expect(model.method == .longmemNoMemory && model.memory == nil)
        for segment in 0..<TrainingFixture.segments {
            let recording = try BackboneRecording(
                backbone: fixture.backbone, tokens: fixture.inputs(segment), capturing: sideNet.neededHiddenStates,
                memory: bank)
            let trained = sideNet.loss(
                states: recording.hiddenStates, targets: fixture.targets(segment), memory: nil, backward: false)
            let hidden = try model.forwardSegment(fixture.inputs(segment), remember: true)
            let runtime = meanLoss(hidden: hidden, head: model.outputHead, targets: fixture.targets(segment))
            #expect(abs(runtime - trained) <= 1e-5 * abs(trained), "segment \(segment): \(runtime) vs \(trained)")
        }
        #expect((model as? LongMemModel)?.memoryBank.statistics.tokensWritten == 0, "nothing written to the bank")
    }

    @Test(
        "zero-branch initialisation reproduces the backbone's log-probs (training graph and runtime)",
        arguments: ["newgpt", "llama"])
    func zeroBranch(family: String) throws {
        let fixture = try TrainingFixture(family)
        let sideNet = try TrainableSideNet(backbone: fixture.backbone, memoryLayer: 1, initialisation: .zeroBranch)
        let bank = try fixture.makeMemory()
        let path = try folder(fixture, sideNet: sideNet, memory: bank.configuration)
        let model = try MethodLoader.load(
            try ModelDirectory(path: path), method: .longmem, memory: MemoryOptions(precision: .float32))
        for segment in 0..<TrainingFixture.segments {
            let tokens = fixture.inputs(segment), targets = fixture.targets(segment)
            let own = targetLogProbabilities(
                hidden: try fixture.backbone.hiddenStates(for: [tokens]), head: model.outputHead, targets: targets)
            let withSideNet = targetLogProbabilities(
                hidden: try model.forwardSegment(tokens, remember: true), head: model.outputHead, targets: targets)
            let gap = zip(own, withSideNet).map { abs($0 - $1) }.max()!
            #expect(gap <= 1e-5, "\(family) segment \(segment): log-prob gap \(gap)")
            let loss = try sideNet.loss(
                segment: tokens, targets: targets, backbone: fixture.backbone, memory: bank, backward: false)
            #expect(abs(loss + own.reduce(0, +) / Double(own.count)) <= 1e-5)
        }
    }
}
