import LongMemTensor

/// Hugging Face `GPT2Config` fields that change the computation.
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

    public var headDim: Int { width / heads }
    /// Longest sequence of one forward pass: `local_window` when set, else n_positions.
    public var contextLength: Int { localWindow ?? positions }
    public var feedForwardWidth: Int { innerWidth ?? 4 * width }

    public var activation: Activation {
        get throws {
            guard let activation = Activation(configName: activationFunction) else {
                throw ModelsError.invalidArgument("unsupported activation_function '\(activationFunction)'")
            }
            return activation
        }
    }

    /// Checks sizes that the decoder cannot: positivity and head divisibility.
    public func validate(path: String) throws {
        for (key, value) in [
            ("n_embd", width), ("n_head", heads), ("n_layer", layers), ("n_positions", positions),
            ("vocab_size", vocabularySize),
        ] where value <= 0 {
            throw ModelsError.invalidConfiguration(path: path, detail: "\(key) must be positive, got \(value)")
        }
        guard width % heads == 0 else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "n_embd \(width) is not divisible by n_head \(heads)")
        }
        guard Activation(configName: activationFunction) != nil else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "unsupported activation_function '\(activationFunction)'")
        }
        guard layerNormEpsilon > 0 else {
            throw ModelsError.invalidConfiguration(path: path, detail: "layer_norm_epsilon must be positive")
        }
        if let localWindow, !(1...positions).contains(localWindow) {
            throw ModelsError.invalidConfiguration(
                path: path,
                detail:
                    "local window \(localWindow) (--window or local_window) must be in 1...\(positions) (n_positions)")
        }
    }
}
