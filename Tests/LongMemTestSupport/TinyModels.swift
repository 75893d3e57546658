import Foundation
import LongMemModels
import LongMemTensor

/// Seeded random models written as HF-style folders, for tests that need a model but no fixture.
public enum TinyModels {
    /// Writes `config.json` and `model.safetensors` of a random GPT-2 (tied head) into `directory`.
    @discardableResult
    public static func writeGPT2(
        to directory: String,
        configuration: GPT2Configuration = GPT2Configuration(
            width: 16, heads: 2, layers: 2, positions: 64, vocabularySize: 50257),
        seed: UInt64 = 1,
        tensors transform: ([(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] = { $0 }
    ) throws -> String {
        var random = SplitMix64(seed: seed)
        let c = configuration, f = c.feedForwardWidth
        var tensors: [(name: String, tensor: Tensor)] = [
            ("transformer.wte.weight", random.tensor([c.vocabularySize, c.width], scale: 0.5)),
            ("transformer.wpe.weight", random.tensor([c.positions, c.width], scale: 0.5)),
        ]
        for layer in 0..<c.layers {
            let p = "transformer.h.\(layer)."
            tensors += [
                (p + "ln_1.weight", random.tensor([c.width], scale: 1)),
                (p + "ln_1.bias", random.tensor([c.width], scale: 0.1)),
                (p + "attn.c_attn.weight", random.tensor([c.width, 3 * c.width], scale: 0.4)),
                (p + "attn.c_attn.bias", random.tensor([3 * c.width], scale: 0.1)),
                (p + "attn.c_proj.weight", random.tensor([c.width, c.width], scale: 0.4)),
                (p + "attn.c_proj.bias", random.tensor([c.width], scale: 0.1)),
                (p + "ln_2.weight", random.tensor([c.width], scale: 1)),
                (p + "ln_2.bias", random.tensor([c.width], scale: 0.1)),
                (p + "mlp.c_fc.weight", random.tensor([c.width, f], scale: 0.4)),
                (p + "mlp.c_fc.bias", random.tensor([f], scale: 0.1)),
                (p + "mlp.c_proj.weight", random.tensor([f, c.width], scale: 0.4)),
                (p + "mlp.c_proj.bias", random.tensor([c.width], scale: 0.1)),
            ]
        }
        tensors += [
            ("transformer.ln_f.weight", random.tensor([c.width], scale: 1)),
            ("transformer.ln_f.bias", random.tensor([c.width], scale: 0.1)),
        ]
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try SafeTensorsWriter.write(transform(tensors), to: directory + "/model.safetensors")
        try writeConfiguration(configuration, to: directory)
        return directory
    }

    /// A random GPT-2 whose final LayerNorm weight is NaN, so every log-probability it gives is NaN.
    @discardableResult
    public static func writeNaNGPT2(to directory: String) throws -> String {
        try writeGPT2(to: directory) { tensors in
            tensors.map { entry in
                guard entry.name == "transformer.ln_f.weight" else { return entry }
                let broken = entry.tensor.copy()
                broken.fill(.nan)
                return (entry.name, broken)
            }
        }
    }

    public static func writeConfiguration(_ c: GPT2Configuration, to directory: String) throws {
        let object: [String: Any] = [
            "model_type": "gpt2", "n_embd": c.width, "n_head": c.heads, "n_layer": c.layers, "n_positions": c.positions,
            "vocab_size": c.vocabularySize, "layer_norm_epsilon": c.layerNormEpsilon,
            "activation_function": c.activationFunction,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: directory + "/config.json"))
    }
}
