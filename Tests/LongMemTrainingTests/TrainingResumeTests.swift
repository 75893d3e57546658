import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import LongMemTraining
import Testing

/// A seeded token stream over the fixture's vocabulary.
func randomStream(count: Int, vocabulary: Int, seed: UInt64, segmentLength: Int) -> TokenStream {
    var random = SplitMix64(seed: seed)
    let tokens = (0..<count).map { _ in 4 + Int(random.next() % UInt64(vocabulary - 4)) }
    return TokenStream(
        documents: [Array(tokens.prefix(count / 2)), Array(tokens.dropFirst(count / 2))], separator: 2,
        segmentLength: segmentLength)
}

@Suite("Training runs resume from their last checkpoint and reach the same losses")
struct TrainingResumeTests {
    static func trainer(_ folder: String, family: String = "llama") throws -> SideNetTrainer {
        let fixture = try TrainingFixture(family)
        // 64 tokens of memory in 16-token segments: eviction happens within the run.
        var configuration = TrainingConfiguration(
            steps: 9,
            memory: MemoryConfiguration(memorySize: 64, chunkSize: 4, topK: 8, retrievalLayer: 2, precision: .float16),
            initialisation: .official)
        configuration.segmentLength = 16
        configuration.accumulation = 2
        configuration.learningRate = 1e-3
        configuration.warmup = 2
        configuration.clipNorm = 1
        configuration.checkpointInterval = 2
        configuration.validationSegments = 2
        let vocabulary = fixture.backbone.descriptor.vocabularySize
        return try SideNetTrainer(
            folder: folder, configuration: configuration, backbone: fixture.backbone,
            reference: BackboneReference(path: "/fixture", name: family, weightsSHA256: "test"), corpusName: "random",
            train: randomStream(count: 16 * 15 + 1, vocabulary: vocabulary, seed: 5, segmentLength: 16),
            validation: randomStream(count: 16 * 3 + 1, vocabulary: vocabulary, seed: 6, segmentLength: 16))
    }

    static func log(_ folder: String) throws -> [[String: Any]] {
        try String(contentsOfFile: folder + "/train.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test(
        "stopped after update 5 (checkpoint at 4), resumed: every update's loss, norm and rate equal an uninterrupted run's"
    )
    func resume() throws {
        let whole = FixturePaths.temporaryDirectory(), interrupted = FixturePaths.temporaryDirectory()
        try Self.trainer(whole).run()
        try Self.trainer(interrupted).run(stopAfter: 5)
        let resumed = try Self.trainer(interrupted)
        #expect(resumed.step == 4)
        try resumed.run()
        let expected = try Self.log(whole), measured = try Self.log(interrupted)
        #expect(measured.count == 9 && expected.count == 9)
        for (a, b) in zip(measured, expected) {
            for key in ["step", "loss", "gradientNorm", "learningRate"] {
                #expect((a[key] as? Double) == (b[key] as? Double), "update \(b["step"]!): \(key)")
            }
            #expect((a["validationLoss"] as? Double) == (b["validationLoss"] as? Double))
        }
        let start = try JSONDecoder().decode(
            [String: Double].self, from: Data(contentsOf: URL(fileURLWithPath: whole + "/start.json")))
        #expect(start["validationLoss"].map { $0.isFinite && $0 > 0 } == true)
        #expect(
            FileManager.default.contents(atPath: interrupted + "/start.json")
                == FileManager.default.contents(atPath: whole + "/start.json"))
        let weights = try SafeTensorsFile.open(whole + "/model/sidenet.safetensors")
        let resumedWeights = try SafeTensorsFile.open(interrupted + "/model/sidenet.safetensors")
        for name in weights.names {
            #expect(try weights.tensor(name).toArray() == resumedWeights.tensor(name).toArray(), "\(name)")
        }
    }

    @Test("another configuration on the same folder is refused, the checkpoint untouched")
    func refusesOtherRun() throws {
        let folder = FixturePaths.temporaryDirectory()
        try Self.trainer(folder).run(stopAfter: 2)
        let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoints/step-000002/sidenet.safetensors"))
        #expect(throws: TrainingError.self) { try Self.trainer(folder, family: "newgpt") }
        let after = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoints/step-000002/sidenet.safetensors"))
        #expect(before == after)
    }
}
