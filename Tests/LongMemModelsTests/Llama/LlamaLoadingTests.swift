import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Llama folders: load, sanitize, bind and their errors")
struct LlamaLoadingTests {
    static let tied = LlamaFixture.directory + "/tied"

    /// The error message of loading `directory` through the registry, or nil when it loads.
    func loadError(_ directory: String) -> String? {
        do {
            _ = try ModelRegistry.load(try ModelDirectory(path: directory))
            return nil
        } catch { return "\(error)" }
    }

    /// A copy of the tied fixture with its tensors and config.json edited.
    func withModel(
        tensors edit: ([(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] = { $0 },
        configuration: (inout [String: Any]) -> Void = { _ in },
        _ body: (String) throws -> Void
    ) throws {
        let directory = FixturePaths.temporaryDirectory("llama-test")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try SafeTensorsFile(path: Self.tied + "/model.safetensors")
        try SafeTensorsWriter.write(
            edit(try file.names.map { ($0, try file.tensor($0)) }), to: directory + "/model.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.tied + "/config.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        configuration(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try body(directory)
    }

    @Test("an unedited copy loads, with or without the model. prefix")
    func roundTrip() throws {
        try withModel { directory in #expect(loadError(directory) == nil) }
        try withModel(tensors: { $0.map { (String($0.name.dropFirst("model.".count)), $0.tensor) } }) { directory in
            #expect(loadError(directory) == nil)
        }
    }

    @Test("a missing tensor names the tensor and the file")
    func missingTensor() throws {
        try withModel(tensors: { $0.filter { $0.name != "model.layers.1.mlp.up_proj.weight" } }) { directory in
            let message = try #require(loadError(directory))
            #expect(message == "\(directory)/model.safetensors: missing tensor 'layers.1.mlp.up_proj.weight'")
        }
    }

    @Test("a misshapen tensor names the tensor, the expected and the found shape")
    func wrongShape() throws {
        try withModel(tensors: {
            $0.map {
                $0.name == "model.layers.0.self_attn.k_proj.weight" ? ($0.name, $0.tensor.reshaped([64, 32])) : $0
            }
        }) { directory in
            let message = try #require(loadError(directory))
            #expect(message.contains("model.layers.0.self_attn.k_proj.weight"), "\(message)")
            #expect(message.contains("expected shape [32, 64], found [64, 32]"), "\(message)")
        }
    }

    @Test("an unused tensor is an error; saved rotary_emb.inv_freq buffers are not")
    func unusedTensor() throws {
        let extra = Tensor(zeros: [3])
        try withModel(tensors: { $0 + [("model.layers.0.extra.weight", extra)] }) { directory in
            #expect(
                loadError(directory) == "\(directory)/model.safetensors: unused tensors model.layers.0.extra.weight")
        }
        try withModel(tensors: { $0 + [("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor(zeros: [8]))] }) {
            directory in
            #expect(loadError(directory) == nil)
        }
    }

    @Test("num_attention_heads must be a multiple of num_key_value_heads")
    func headDivisibility() throws {
        try withModel(configuration: { $0["num_key_value_heads"] = 3 }) { directory in
            #expect(
                loadError(directory)
                    == "\(directory)/config.json: invalid configuration: num_attention_heads 4 is not divisible by num_key_value_heads 3"
            )
        }
    }

    @Test(
        "configuration errors name the key",
        arguments: [
            ("hidden_size", "missing key 'hidden_size'"),
            ("rope_parameters", ""),
        ])
    func missingKeys(key: String, expected: String) throws {
        try withModel(configuration: { $0[key] = nil }) { directory in
            if expected.isEmpty {
                #expect(loadError(directory) == nil)  // rope_theta defaults to 10,000
            } else {
                #expect(loadError(directory) == "\(directory)/config.json: invalid configuration: \(expected)")
            }
        }
    }

    @Test("rope_theta is read from rope_parameters (transformers 5) or the top level (older configs)")
    func ropeTheta() throws {
        try withModel(configuration: {
            $0["rope_parameters"] = nil; $0["rope_theta"] = 500.0
        }) { directory in
            let model = try #require(try ModelRegistry.load(try ModelDirectory(path: directory)) as? LlamaModel)
            let reference = try #require(try ModelRegistry.load(try ModelDirectory(path: Self.tied)) as? LlamaModel)
            #expect(model.configuration.theta == 500)
            #expect(
                try model.logits(for: [[1, 2, 3, 4]]).toArray() == reference.logits(for: [[1, 2, 3, 4]]).toArray())
        }
    }

    @Test("unsupported options are refused with the key named")
    func unsupportedOptions() throws {
        try withModel(configuration: {
            $0["rope_parameters"] = ["rope_theta": 500.0, "rope_type": "llama3", "factor": 8.0]
        }) {
            #expect(
                loadError($0)
                    == "\($0)/config.json: invalid configuration: rope_parameters type 'llama3' is not supported (only default RoPE)"
            )
        }
        try withModel(configuration: { $0["hidden_act"] = "gelu" }) {
            #expect(loadError($0)?.contains("hidden_act 'gelu' is not supported") == true)
        }
        try withModel(configuration: { $0["attention_bias"] = true }) {
            #expect(loadError($0)?.contains("attention_bias true is not supported") == true)
        }
    }

    @Test("a local window shorter than max_position_embeddings bounds the forward")
    func localWindow() throws {
        try withModel(configuration: { $0["local_window"] = 16 }) { directory in
            let model = try ModelRegistry.load(try ModelDirectory(path: directory))
            #expect(model.descriptor.contextLength == 16)
            #expect(throws: ModelsError.self) { try model.logits(for: [Array(0..<17)]) }
        }
        let model = try LlamaModel.load(directory: try ModelDirectory(path: Self.tied), localWindow: 32)
        #expect(model.descriptor.contextLength == 32)
        try withModel(configuration: { $0["local_window"] = 129 }) {
            #expect(
                loadError($0)?.contains(
                    "local window 129 is outside 1...128 (max_position_embeddings)") == true)
        }
    }

    @Test("a GGUF whose architecture is not llama is refused, naming the architecture")
    func unsupportedArchitecture() {
        let directory = LlamaFixture.directory + "/unsupported"
        #expect(
            loadError(directory)
                == "\(directory)/gpt2.gguf: invalid configuration: unsupported GGUF architecture 'gpt2' (known: llama)")
    }

    @Test("a folder with two .gguf files and no config.json is refused")
    func twoGGUFFiles() throws {
        let directory = FixturePaths.temporaryDirectory("llama-test")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["a.gguf", "b.gguf"] {
            try FileManager.default.copyItem(
                atPath: LlamaFixture.directory + "/gguf/tiny.gguf", toPath: directory + "/" + name)
        }
        #expect(
            loadError(directory)
                == "\(directory): invalid configuration: 2 .gguf files (a.gguf, b.gguf) and no config.json: keep one")
        try FileManager.default.removeItem(atPath: directory + "/b.gguf")
        #expect(loadError(directory) == nil)
    }

    @Test("the tiny GGUF's tokenizer is the byte-level vocabulary with no merges")
    func ggufTokenizer() throws {
        let gguf = try GGUFTokenizer.load(path: LlamaFixture.directory + "/gguf/tiny.gguf")
        #expect(gguf.preTokenizerName == "smollm")
        #expect(gguf.beginningOfSequenceID == 1 && gguf.endOfSequenceID == 2)
        let text = "héllo 42 <|im_start|>"
        #expect(gguf.encode(text) == Array(text.utf8).map(Int.init))
        #expect(gguf.decode(gguf.encode(text)) == text)
    }
}
