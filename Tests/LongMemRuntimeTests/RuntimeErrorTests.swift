import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Runtime bad input: errors that name the option or tensor")
struct RuntimeErrorTests {
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return "\(error)" }
    }

    func load(_ folder: String, _ method: MethodKind, _ memory: MemoryOptions) throws -> MemoryAugmentedModel {
        try MethodLoader.load(try ModelDirectory(path: folder), method: method, memory: memory)
    }

    @Test(
        "memory options are checked against the backbone",
        arguments: [
            (MemoryOptions(retrievalLayer: 4), "retrieval layer: 4 is outside the backbone's blocks 0...3"),
            (
                MemoryOptions(memorySize: 256, chunkSize: 3, topK: 12),
                "chunk size: 3 does not divide the memory size 256"
            ),
            (MemoryOptions(memorySize: 256, chunkSize: 8, topK: 4), "chunk size: 8 must divide top-k 4"),
            (
                MemoryOptions(memorySize: 256, chunkSize: 4, topK: 512),
                "top-k: 512 tokens is more than the memory can hold (256 tokens)"
            ),
            (
                MemoryOptions(memorySize: 64, chunkSize: 4, topK: 16),
                "memory size: 64 tokens is less than two 64-token segments"
            ),
        ])
    func memoryOptions(options: MemoryOptions, expected: String) {
        for method in [MethodKind.memtrm, .longmem] {
            let text = message { _ = try load(LongMemFixture.directory, method, options) }
            #expect(text?.hasPrefix(expected) == true, "\(method): \(text ?? "no error")")
        }
    }

    @Test("an empty token stream")
    func emptyStream() throws {
        let model = try load(LongMemFixture.directory, .longmem, MemoryOptions())
        let text = message { try SegmentDriver(model: model).run([]) { _, _, _, _ in } }
        #expect(text == "empty token stream: nothing to feed the model")
    }

    @Test("LongMem needs a GPT-2* backbone")
    func unsupportedBackbone() {
        let text = message { _ = try load(GPT2Fixture.directory, .longmem, MemoryOptions(memorySize: 256, topK: 16)) }
        #expect(text == "method longmem is not available for gpt2 backbones")
    }

    /// Copies the longmem fixture into a temporary folder, rewriting its tensors and config.
    func withFolder(
        tensors transform: ([(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] = { $0 },
        config: (inout [String: Any]) -> Void = { _ in }, _ body: (String) throws -> Void
    ) throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try SafeTensorsFile(path: LongMemFixture.directory + "/model.safetensors")
        let tensors = try source.names.map { (name: $0, tensor: try source.tensor($0)) }
        try SafeTensorsWriter.write(transform(tensors), to: directory + "/model.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: LongMemFixture.directory + "/config.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        config(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try body(directory)
    }

    @Test("a checkpoint whose shapes do not match its config names the tensor")
    func shapeMismatch() throws {
        try withFolder(config: { $0["n_embd"] = 32 }) { folder in
            let text = message { _ = try load(folder, .local, MemoryOptions()) }
            #expect(
                text
                    == "tensor '\(folder)/model.safetensors: backbone.wte.weight': expected shape [512, 32], found [512, 64]"
            )
        }
    }

    @Test("a SideNet checkpoint for a different backbone")
    func foreignSideNet() throws {
        // A SideNet of another width.
        try withFolder(tensors: { tensors in
            tensors.map { $0.name == "sidenet.layers.0.fc1.weight" ? ($0.name, Tensor(zeros: [512, 128])) : $0 }
        }) { folder in
            let text = message { _ = try load(folder, .longmem, MemoryOptions()) }
            #expect(
                text
                    == "tensor '\(folder)/model.safetensors: sidenet.layers.0.fc1.weight': expected shape [256, 64], found [512, 128]"
            )
        }
        // A SideNet with the wrong number of layers.
        try withFolder(config: { $0["sidenet_layers"] = 3 }) { folder in
            let text = message { _ = try load(folder, .longmem, MemoryOptions()) }
            #expect(text == "\(folder)/config.json: sidenet_layers 3 does not fit a 4-block backbone")
        }
        // A memory layer other than the one the checkpoint trained: its gate tensor is not there.
        try withFolder(config: { $0["memory_layer"] = 0 }) { folder in
            let text = message { _ = try load(folder, .longmem, MemoryOptions()) }
            #expect(text == "\(folder)/model.safetensors: missing tensor 'sidenet.layers.0.self_attn.memory_bias'")
        }
    }
}
