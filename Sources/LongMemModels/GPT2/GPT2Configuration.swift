import LongMemTensor

/// Hugging Face `GPT2Config` fields that change the computation. LongMem's GPT-2* backbone ("newgpt",
/// as Scripts/convert_longmem_checkpoint.py writes it) uses the same keys; for it `n_positions` is the local
/// window (ALiBi has no position table).
public struct GPT2Configuration: Codable, Sendable, Equatable {
    public var width: Int
    public var heads: Int
    public var layers: Int
    public var positions: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    public var activationFunction: String
    /// `local_window`: a shorter window than n_positions for every forward (`--window`).
    public var localWindow: Int?
    /// Feed-forward width; HF uses 4 * width when null.
    public var innerWidth: Int?

    enum CodingKeys: String, CodingKey {
        case width = "n_embd"
        case heads = "n_head"
        case layers = "n_layer"
        case positions = "n_positions"
        case vocabularySize = "vocab_size"
        case layerNormEpsilon = "layer_norm_epsilon"
        case activationFunction = "activation_function"
        case localWindow = "local_window"
        case innerWidth = "n_inner"
    }

    public init(
        width: Int, heads: Int, layers: Int, positions: Int, vocabularySize: Int,
        layerNormEpsilon: Float = 1e-5, activationFunction: String = "gelu_new", innerWidth: Int? = nil
    ) {
        self.width = width
        self.heads = heads
        self.layers = layers
        self.positions = positions
        self.vocabularySize = vocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.activationFunction = activationFunction
        self.innerWidth = innerWidth
    }

    public var feedForwardWidth: Int { innerWidth ?? 4 * width }

    public var activation: Activation {
        get throws {
            guard let activation = Activation(configName: activationFunction) else {
                throw ModelsError.invalidArgument("unsupported activation_function '\(activationFunction)'")
            }
            return activation
        }
    }
}
