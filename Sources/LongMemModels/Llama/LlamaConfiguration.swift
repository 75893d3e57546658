// Hugging Face `LlamaConfig`:
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/configuration_llama.py
import LongMemTensor

/// The `config.json` fields of a `model_type: llama` folder that change the computation, with
/// transformers' defaults for the optional ones. A GGUF file's `llama.*` metadata converts to the same
/// type (`init(gguf:)`).
public struct LlamaConfiguration: Codable, Sendable, Equatable {
    public var width: Int
    public var feedForwardWidth: Int
    public var layers: Int
    public var heads: Int
    /// Grouped-query attention: key/value heads (nil: as many as query heads).
    public var keyValueHeadCount: Int?
    public var vocabularySize: Int
    /// Positions the model was trained for.
    public var positions: Int
    public var rmsNormEpsilon: Float?
    /// RoPE base of configs written before transformers 5.
    public var ropeTheta: Float?
    /// transformers 5 writes `rope_parameters: {rope_theta, rope_type}` instead of `rope_theta`.
    public var ropeParameters: RopeParameters?
    /// Older name of RoPE scaling (e.g. Llama 3.1's "llama3"); only null / "default" is supported.
    public var ropeScaling: RopeParameters?
    /// Per-head size; nil: width / heads.
    public var explicitHeadDim: Int?
    public var tieWordEmbeddings: Bool?
    public var hiddenActivation: String?
    public var attentionBias: Bool?
    public var mlpBias: Bool?
    /// longmem-eval's own key: the longest sequence one forward pass takes (LongMem's local window),
    /// at most `positions`. Also settable at load.
    public var localWindow: Int?

    public struct RopeParameters: Codable, Sendable, Equatable {
        public var ropeTheta: Float?
        public var ropeType: String?
        /// transformers < 4.45 wrote `type` instead of `rope_type` in `rope_scaling`.
        public var type: String?

        public init(ropeTheta: Float? = nil, ropeType: String? = nil) {
            self.ropeTheta = ropeTheta
            self.ropeType = ropeType
        }

        enum CodingKeys: String, CodingKey {
            case ropeTheta = "rope_theta"
            case ropeType = "rope_type"
            case type
        }
    }

    enum CodingKeys: String, CodingKey {
        case width = "hidden_size"
        case feedForwardWidth = "intermediate_size"
        case layers = "num_hidden_layers"
        case heads = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case vocabularySize = "vocab_size"
        case positions = "max_position_embeddings"
        case rmsNormEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case ropeParameters = "rope_parameters"
        case ropeScaling = "rope_scaling"
        case explicitHeadDim = "head_dim"
        case tieWordEmbeddings = "tie_word_embeddings"
        case hiddenActivation = "hidden_act"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
        case localWindow = "local_window"
    }

    public init(
        width: Int, feedForwardWidth: Int, layers: Int, heads: Int, keyValueHeads: Int? = nil, vocabularySize: Int,
        positions: Int, rmsNormEpsilon: Float = 1e-6, ropeTheta: Float = 10_000, headDim: Int? = nil,
        tieWordEmbeddings: Bool = false, localWindow: Int? = nil
    ) {
        self.width = width
        self.feedForwardWidth = feedForwardWidth
        self.layers = layers
        self.heads = heads
        self.keyValueHeadCount = keyValueHeads
        self.vocabularySize = vocabularySize
        self.positions = positions
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.explicitHeadDim = headDim
        self.tieWordEmbeddings = tieWordEmbeddings
        self.localWindow = localWindow
    }

    public var keyValueHeads: Int { keyValueHeadCount ?? heads }
    public var headDim: Int { explicitHeadDim ?? (heads > 0 ? width / heads : 0) }
    public var epsilon: Float { rmsNormEpsilon ?? 1e-6 }
    /// The RoPE base: `rope_parameters.rope_theta`, else `rope_theta`, else 10,000.
    public var theta: Float { ropeParameters?.ropeTheta ?? ropeTheta ?? 10_000 }
    /// Longest sequence of one forward pass: `local_window` when set, else `max_position_embeddings`.
    public var contextLength: Int { localWindow ?? positions }
    public var queryWidth: Int { heads * headDim }
    public var keyValueWidth: Int { keyValueHeads * headDim }

    /// Checks what decoding cannot: sizes within `ModelLimits`, head divisibility, supported options, the
    /// window (in range and within memory). `keys` renames config.json keys in messages (a GGUF file's metadata names, `ggufKeys`).
    public func validate(path: String, keys: [String: String] = [:]) throws {
        func fail(_ detail: String) -> ModelsError { .invalidConfiguration(path: path, detail: detail) }
        func key(_ name: String) -> String { keys[name] ?? name }
        let sizes =
            [
                (key("hidden_size"), width, ModelLimits.width),
                (key("intermediate_size"), feedForwardWidth, ModelLimits.feedForwardWidth),
                (key("num_hidden_layers"), layers, ModelLimits.layers),
                (key("num_attention_heads"), heads, ModelLimits.heads),
                (key("num_key_value_heads"), keyValueHeads, ModelLimits.heads),
                (key("vocab_size"), vocabularySize, ModelLimits.vocabulary),
                (key("max_position_embeddings"), positions, ModelLimits.contextLength),
            ] + (explicitHeadDim.map { [(key("head_dim"), $0, ModelLimits.headDim)] } ?? [])
        for (name, value, maximum) in sizes {
            if let problem = ModelLimits.problem(name, value, maximum: maximum) { throw fail(problem) }
        }
        guard heads % keyValueHeads == 0 else {
            throw fail(
                "\(key("num_attention_heads")) \(heads) is not divisible by \(key("num_key_value_heads")) \(keyValueHeads)"
            )
        }
        if explicitHeadDim == nil, width % heads != 0 {
            throw fail("\(key("hidden_size")) \(width) is not divisible by \(key("num_attention_heads")) \(heads)")
        }
        guard headDim % 2 == 0 else { throw fail("head size \(headDim) must be even for rotary embeddings") }
        guard epsilon > 0, epsilon.isFinite else {
            throw fail("\(key("rms_norm_eps")) must be positive, got \(epsilon)")
        }
        guard theta > 0, theta.isFinite else { throw fail("\(key("rope_theta")) must be positive, got \(theta)") }
        for (key, parameters) in [("rope_parameters", ropeParameters), ("rope_scaling", ropeScaling)] {
            let type = parameters?.ropeType ?? parameters?.type ?? "default"
            guard type == "default" else { throw fail("\(key) type '\(type)' is not supported (only default RoPE)") }
        }
        if let hiddenActivation, Activation(configName: hiddenActivation) != .silu {
            throw fail("hidden_act '\(hiddenActivation)' is not supported (Llama's MLP is SwiGLU: silu)")
        }
        if attentionBias == true { throw fail("attention_bias true is not supported") }
        if mlpBias == true { throw fail("mlp_bias true is not supported") }
        if let localWindow, !(1...positions).contains(localWindow) {
            throw ModelsError.windowOutOfRange(
                path: path, window: localWindow,
                detail: "is outside 1...\(positions) (\(key("max_position_embeddings")))")
        }
        if let problem = ModelLimits.windowMemory(
            window: contextLength, layers: layers, keyValueWidth: keyValueWidth, rotaryWidth: headDim)
        {
            throw ModelsError.windowOutOfRange(path: path, window: contextLength, detail: problem)
        }
    }
}
