import LongMemTensor

/// LongMem's GPT-2* backbone ("newgpt"): `config.json` keys as written by
/// Scripts/convert_longmem_checkpoint.py.
public struct NewGPTConfiguration: GPT2FamilyConfiguration, Codable, Sendable, Equatable {
    public var width: Int
    public var heads: Int
    public var layers: Int
    /// The local window: ALiBi has no position table, so this is the segment length of one forward.
    public var positions: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    public var activationFunction: String
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

    public var feedForwardWidth: Int { 4 * width }
}
