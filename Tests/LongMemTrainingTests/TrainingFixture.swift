import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import LongMemTraining

/// One family of Tests/Fixtures/training (Scripts/reference/make_training_fixtures.py): a frozen backbone,
/// a starting SideNet and PyTorch autograd's losses, gradients and AdamW results.
struct TrainingFixture {
    let family: String
    let backbone: any TransformerBackbone
    let expected: SafeTensorsFile
    let tokens: [Int]
    static let segmentLength = 16, segments = 3

    init(_ family: String) throws {
        self.family = family
        let directory = try ModelDirectory(path: FixturePaths.fixture("training/\(family)/backbone"))
        backbone = try ModelRegistry.load(directory) as! any TransformerBackbone
        expected = try SafeTensorsFile.open(FixturePaths.fixture("training/\(family)/expected.safetensors"))
        tokens = try expected.tensor("tokens").toArray().map { Int($0) }
    }

    /// The fixture's memory: chunks of 4, 8 tokens (2 chunks) per query, Float32, cached block 2.
    func makeMemory() throws -> MemoryBank {
        try MemoryBank(
            MemoryConfiguration(memorySize: 256, chunkSize: 4, topK: 8, retrievalLayer: 2, precision: .float32),
            for: backbone)
    }

    /// The starting SideNet (official initialisation, then the fixture's perturbed parameters).
    func makeSideNet() throws -> TrainableSideNet {
        let sideNet = try TrainableSideNet(backbone: backbone, memoryLayer: 1, initialisation: .official)
        try sideNet.load(from: FixturePaths.fixture("training/\(family)/sidenet.safetensors"))
        return sideNet
    }

    func inputs(_ segment: Int) -> [Int] { Array(tokens[(segment * 16)..<(segment * 16 + 16)]) }
    func targets(_ segment: Int) -> [Int] { Array(tokens[(segment * 16 + 1)..<(segment * 16 + 17)]) }

    func value(_ name: String) throws -> Float { try expected.tensor(name).toArray()[0] }
}

/// max |a - b| / max(max |b|, floor): the relative error of a whole tensor.
func relativeError(_ a: [Float], _ b: [Float], floor: Float = 1e-6) -> Float {
    precondition(a.count == b.count)
    let scale = max(b.map { abs($0) }.max() ?? 0, floor)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}
