import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Model folders: load, sanitize, bind and their errors")
struct ModelLoadingTests {
    /// The error message of loading `directory`, or nil when it loads.
    func loadError(_ directory: String) -> String? {
        do {
            _ = try ModelRegistry.load(try ModelDirectory(path: directory))
            return nil
        } catch { return "\(error)" }
    }

    func withModel(
        configuration: GPT2Configuration = GPT2Configuration(
            width: 8, heads: 2, layers: 1, positions: 16, vocabularySize: 50),
        tensors: @escaping ([(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] = { $0 },
        _ body: (String) throws -> Void
    ) throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try TinyModels.writeGPT2(to: directory, configuration: configuration, tensors: tensors)
        try body(directory)
    }

    @Test("names with and without the transformer. prefix load the same model; lm_head ties to wte")
    func prefixes() throws {
        try withModel { prefixed in
            try withModel(tensors: { $0.map { (String($0.name.dropFirst("transformer.".count)), $0.tensor) } }) {
                bare in
                let a = try ModelRegistry.load(try ModelDirectory(path: prefixed)).logits(for: [[1, 2, 3]])
                let b = try ModelRegistry.load(try ModelDirectory(path: bare)).logits(for: [[1, 2, 3]])
                #expect(a.toArray() == b.toArray())
            }
        }
    }

    @Test("an explicit lm_head is used instead of the tied embedding")
    func untiedHead() throws {
        var random = SplitMix64(seed: 9)
        let head = random.tensor([50, 8])
        try withModel { tied in
            try withModel(tensors: { $0 + [("lm_head.weight", head)] }) { untied in
                let a = try ModelRegistry.load(try ModelDirectory(path: tied)).logits(for: [[1, 2]])
                let b = try ModelRegistry.load(try ModelDirectory(path: untied)).logits(for: [[1, 2]])
                #expect(a.toArray() != b.toArray())
            }
        }
    }

    @Test("a missing model folder")
    func missingFolder() {
        #expect(loadError("/nonexistent/model") == "/nonexistent/model: model folder not found")
    }

    @Test("a missing tensor names the tensor")
    func missingTensor() throws {
        try withModel(tensors: { $0.filter { $0.name != "transformer.h.0.mlp.c_fc.bias" } }) { directory in
            let message = try #require(loadError(directory))
            #expect(message == "\(directory)/model.safetensors: missing tensor 'h.0.mlp.c_fc.bias'")
        }
    }

    @Test("an extra tensor is reported as unused")
    func unusedTensor() throws {
        try withModel(tensors: { $0 + [("transformer.h.7.mystery", Tensor(zeros: [2]))] }) { directory in
            let message = try #require(loadError(directory))
            #expect(message == "\(directory)/model.safetensors: unused tensors transformer.h.7.mystery")
        }
    }

    @Test("a misshapen tensor names the tensor and both shapes")
    func misshapen() throws {
        try withModel(tensors: {
            $0.map { $0.name == "transformer.wpe.weight" ? ($0.name, Tensor(zeros: [15, 8])) : $0 }
        }) {
            directory in
            let message = try #require(loadError(directory))
            #expect(
                message
                    == "tensor '\(directory)/model.safetensors: transformer.wpe.weight': expected shape [16, 8], found [15, 8]"
            )
        }
    }

    @Test("a truncated weight file")
    func truncatedWeights() throws {
        try withModel { directory in
            let path = directory + "/model.safetensors"
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
            let message = try #require(loadError(directory))
            #expect(message.hasPrefix(path + ": truncated file"), "\(message)")
        }
    }

    @Test(
        "config.json problems name the key",
        arguments: [
            (
                #"{"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_positions": 16, "vocab_size": 50, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}"#,
                "invalid configuration: missing key 'n_head'"
            ),
            (
                #"{"model_type": "gpt2", "n_embd": 8, "n_head": 3, "n_layer": 1, "n_positions": 16, "vocab_size": 50, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}"#,
                "invalid configuration: n_embd 8 is not divisible by n_head 3"
            ),
            (
                #"{"model_type": "gpt2", "n_embd": "8", "n_head": 2, "n_layer": 1, "n_positions": 16, "vocab_size": 50, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new"}"#,
                "invalid configuration: wrong type at 'n_embd': expected Int, found the string \"8\""
            ),
            (
                #"{"model_type": "gpt2", "n_embd": 8, "n_head": 2, "n_layer": 1, "n_positions": 16, "vocab_size": 50, "layer_norm_epsilon": 1e-5, "activation_function": "relu6"}"#,
                "invalid configuration: unsupported activation_function 'relu6'"
            ),
            (#"{"model_type": "bert"}"#, "unsupported model_type 'bert'"),
            (#"{"n_embd": 8}"#, "invalid configuration: missing key 'model_type'"),
            ("not json", "invalid configuration: not valid JSON"),
        ])
    func configuration(json: String, expected: String) throws {
        try withModel { directory in
            try Data(json.utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
            let message = try #require(loadError(directory))
            #expect(message.hasPrefix("\(directory)/config.json: \(expected)"), "\(message)")
        }
    }

    @Test("a folder without config.json")
    func missingConfiguration() throws {
        try withModel { directory in
            try FileManager.default.removeItem(atPath: directory + "/config.json")
            #expect(loadError(directory) == "\(directory)/config.json: file not found")
        }
    }
}
