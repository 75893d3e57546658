import LongMemTensor

/// LongMem's GPT-2* backbone ("newgpt"): `config.json` keys as written by
/// Scripts/convert_longmem_checkpoint.py.
public struct NewGPTConfiguration: Codable, Sendable, Equatable {
    public var width: Int
    public var heads: Int
    public var layers: Int
    /// The local window: ALiBi has no position table, so this is the segment length of one forward.
    public var positions: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    public var activationFunction: String
    /// `local_window`: a shorter window than n_positions for every forward (`--window`).
    public var localWindow: Int?

    enum CodingKeys: String, CodingKey {
        case width = "n_embd"
        case heads = "n_head"
        case layers = "n_layer"
        case positions = "n_positions"
        case vocabularySize = "vocab_size"
        case layerNormEpsilon = "layer_norm_epsilon"
        case activationFunction = "activation_function"
        case localWindow = "local_window"
    }

    public init(
        width: Int, heads: Int, layers: Int, positions: Int, vocabularySize: Int, layerNormEpsilon: Float = 1e-6,
        activationFunction: String = "gelu_new"
    ) {
        self.width = width
        self.heads = heads
        self.layers = layers
        self.positions = positions
        self.vocabularySize = vocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.activationFunction = activationFunction
    }

    public var headDim: Int { width / heads }
    /// Longest sequence of one forward pass: `local_window` when set, else n_positions.
    public var contextLength: Int { localWindow ?? positions }
    public var feedForwardWidth: Int { 4 * width }

    public func validate(path: String) throws {
        let sizes = [
            ("n_embd", width), ("n_head", heads), ("n_layer", layers), ("n_positions", positions),
            ("vocab_size", vocabularySize),
        ]
        for (key, value) in sizes where value <= 0 {
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
