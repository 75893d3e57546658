// llama.cpp's GGUF layout of a Llama model, as convert_hf_to_gguf.py writes it and transformers reads it
// back (modeling_gguf_pytorch_utils.py, `reverse_permute_weights`):
// https://github.com/ggml-org/llama.cpp/blob/master/convert_hf_to_gguf.py
import LongMemTensor

/// The tensor names of one Llama checkpoint format, so that binding errors name the file's own tensors.
public struct LlamaWeightNames: Sendable {
    /// The tensors of block `layer`.
    public enum Part: Sendable, CaseIterable {
        case attentionNorm, query, key, value, attentionOutput, feedForwardNorm, gate, up, down
    }

    public var embedding: String
    public var finalNorm: String
    public var output: String
    public var layer: @Sendable (Int, Part) -> String

    /// Hugging Face names, after the `model.` prefix is stripped.
    public static let huggingFace = LlamaWeightNames(
        embedding: "embed_tokens.weight", finalNorm: "norm.weight", output: "lm_head.weight",
        layer: { index, part in
            let name: String
            switch part {
            case .attentionNorm: name = "input_layernorm"
            case .query: name = "self_attn.q_proj"
            case .key: name = "self_attn.k_proj"
            case .value: name = "self_attn.v_proj"
            case .attentionOutput: name = "self_attn.o_proj"
            case .feedForwardNorm: name = "post_attention_layernorm"
            case .gate: name = "mlp.gate_proj"
            case .up: name = "mlp.up_proj"
            case .down: name = "mlp.down_proj"
            }
            return "layers.\(index).\(name).weight"
        })

    /// llama.cpp's names.
    public static let gguf = LlamaWeightNames(
        embedding: "token_embd.weight", finalNorm: "output_norm.weight", output: "output.weight",
        layer: { index, part in
            let name: String
            switch part {
            case .attentionNorm: name = "attn_norm"
            case .query: name = "attn_q"
            case .key: name = "attn_k"
            case .value: name = "attn_v"
            case .attentionOutput: name = "attn_output"
            case .feedForwardNorm: name = "ffn_norm"
            case .gate: name = "ffn_gate"
            case .up: name = "ffn_up"
            case .down: name = "ffn_down"
            }
            return "blk.\(index).\(name).weight"
        })
}

/// A GGUF file's tensors as a `WeightSource`, dequantised to Float32 on `tensor(_:)`, with the rows of
/// `attn_q` and `attn_k` put back in Hugging Face's order.
///
/// Why: llama.cpp applies RoPE to adjacent pairs (x[2i], x[2i+1]), so its converter permutes each
/// head's output rows of q and k from HF's halves layout (row j * D/2 + i, j in {0, 1}) to pairs (row
/// 2i + j). Undoing that here lets one `rotate_half` kernel serve both formats, and the logits match
/// transformers, which undoes it the same way.
public final class GGUFLlamaWeights: WeightSource {
    public let file: GGUFFile
    let queryHeads: Int
    let keyValueHeads: Int

    public init(file: GGUFFile, queryHeads: Int, keyValueHeads: Int) {
        self.file = file
        self.queryHeads = queryHeads
        self.keyValueHeads = keyValueHeads
    }

    public var path: String { file.path }
    public var tensorNames: [String] { file.names }
    public func shape(of name: String) -> [Int]? { file.shape(of: name) }

    public func tensor(_ name: String) throws -> Tensor {
        let tensor = try file.tensor(name)
        guard name.hasPrefix("blk."), tensor.rank == 2 else { return tensor }
        if name.hasSuffix(".attn_q.weight") {
            return try Self.unpermute(tensor, heads: queryHeads, name: name, path: path)
        }
        if name.hasSuffix(".attn_k.weight") {
            return try Self.unpermute(tensor, heads: keyValueHeads, name: name, path: path)
        }
        return tensor
    }

    /// (heads * D, in) in llama.cpp's pair order -> HF's halves order: HF row (head, j, i) is GGUF row
    /// (head, i, j), for j in {0, 1}, i < D/2.
    static func unpermute(_ tensor: Tensor, heads: Int, name: String, path: String) throws -> Tensor {
        let rows = tensor.rows, columns = tensor.columns
        guard heads > 0, rows % (2 * heads) == 0 else {
            throw ModelsError.weights(
                .invalidArgument("\(path): tensor '\(name)' has \(rows) rows, not a multiple of 2 x \(heads) heads"))
        }
        let half = rows / heads / 2
        let result = Tensor(uninitialized: tensor.shape)
        for head in 0..<heads {
            for j in 0..<2 {
                for i in 0..<half {
                    let target = head * 2 * half + j * half + i, source = head * 2 * half + 2 * i + j
                    result.row(target).update(from: tensor.row(source), count: columns)
                }
            }
        }
        return result
    }
}

extension LlamaConfiguration {
    /// config.json keys -> the GGUF metadata they are read from, for messages.
    static let ggufKeys = [
        "hidden_size": "llama.embedding_length", "intermediate_size": "llama.feed_forward_length",
        "num_hidden_layers": "llama.block_count", "num_attention_heads": "llama.attention.head_count",
        "num_key_value_heads": "llama.attention.head_count_kv", "vocab_size": "llama.vocab_size",
        "max_position_embeddings": "llama.context_length", "head_dim": "llama.attention.key_length",
        "rms_norm_eps": "llama.attention.layer_norm_rms_epsilon", "rope_theta": "llama.rope.freq_base",
    ]

    /// The configuration in a GGUF file's `llama.*` metadata (llama.cpp's key names). Keys llama.cpp
    /// requires are required; `head_count_kv` defaults to `head_count`, `rope.freq_base` to 10,000 and
    /// `vocab_size` to the rows of `token_embd`. The output head is tied when the file has no
    /// `output.weight`.
    public init(gguf file: GGUFFile, localWindow: Int? = nil) throws {
        let path = file.path
        guard let architecture = file.architecture else {
            throw ModelsError.invalidConfiguration(path: path, detail: "missing metadata 'general.architecture'")
        }
        guard architecture == "llama" else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "general.architecture '\(architecture)' is not llama")
        }
        func value(_ key: String) -> GGUFValue? { file.metadata["llama." + key] }
        func integer(_ key: String) throws -> Int? {
            guard let found = value(key) else { return nil }
            guard let number = found.int else {
                throw ModelsError.invalidConfiguration(
                    path: path, detail: "metadata 'llama.\(key)' = \(found) is not an integer")
            }
            return number
        }
        func required(_ key: String) throws -> Int {
            guard let number = try integer(key) else {
                throw ModelsError.invalidConfiguration(path: path, detail: "missing metadata 'llama.\(key)'")
            }
            return number
        }
        func real(_ key: String) throws -> Float? {
            guard let found = value(key) else { return nil }
            guard let number = found.float else {
                throw ModelsError.invalidConfiguration(
                    path: path, detail: "metadata 'llama.\(key)' = \(found) is not a number")
            }
            return number
        }
        let heads = try required("attention.head_count")
        let width = try required("embedding_length")
        guard let epsilon = try real("attention.layer_norm_rms_epsilon") else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "missing metadata 'llama.attention.layer_norm_rms_epsilon'")
        }
        let embeddingRows = file.shape(of: LlamaWeightNames.gguf.embedding)?.first
        guard let vocabulary = try integer("vocab_size") ?? embeddingRows else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "no 'llama.vocab_size' metadata and no tensor '\(LlamaWeightNames.gguf.embedding)'")
        }
        self.init(
            width: width, feedForwardWidth: try required("feed_forward_length"), layers: try required("block_count"),
            heads: heads, keyValueHeads: try integer("attention.head_count_kv") ?? heads, vocabularySize: vocabulary,
            positions: try required("context_length"), rmsNormEpsilon: epsilon,
            ropeTheta: try real("rope.freq_base") ?? 10_000, headDim: try integer("attention.key_length"),
            tieWordEmbeddings: file.shape(of: LlamaWeightNames.gguf.output) == nil, localWindow: localWindow)
        if let scaling = value("rope.scaling.type")?.string, scaling != "none" {
            ropeScaling = RopeParameters(ropeType: scaling)
        }
        // Sizes first: the checks below compare them, and a head size from absurd ones would mislead.
        try validate(path: path, keys: Self.ggufKeys)
        if let valueLength = try integer("attention.value_length"), valueLength != headDim {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "llama.attention.value_length \(valueLength) differs from the key length \(headDim)"
            )
        }
        if let rotated = try integer("rope.dimension_count"), rotated != headDim {
            throw ModelsError.invalidConfiguration(
                path: path,
                detail:
                    "llama.rope.dimension_count \(rotated) differs from the head size \(headDim) (partial RoPE is not supported)"
            )
        }
    }
}
