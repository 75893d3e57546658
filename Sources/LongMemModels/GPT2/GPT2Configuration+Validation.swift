import LongMemTensor

extension GPT2Configuration {
    public var headDim: Int { width / heads }
    /// Longest sequence of one forward pass: `local_window` when set, else n_positions.
    public var contextLength: Int { localWindow ?? positions }

    /// Checks what the decoder cannot: sizes within `ModelLimits`, head divisibility, a known activation, the
    /// window (in range and within memory).
    public func validate(path: String) throws {
        let sizes = [
            ("n_embd", width, ModelLimits.width), ("n_head", heads, ModelLimits.heads),
            ("n_layer", layers, ModelLimits.layers), ("n_positions", positions, ModelLimits.contextLength),
            ("vocab_size", vocabularySize, ModelLimits.vocabulary),
            ("n_inner", feedForwardWidth, ModelLimits.feedForwardWidth),
        ]
        for (key, value, maximum) in sizes {
            if let problem = ModelLimits.problem(key, value, maximum: maximum) {
                throw ModelsError.invalidConfiguration(path: path, detail: problem)
            }
        }
        guard width % heads == 0 else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "n_embd \(width) is not divisible by n_head \(heads)")
        }
        guard Activation(configName: activationFunction) != nil else {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "unsupported activation_function '\(activationFunction)'")
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw ModelsError.invalidConfiguration(path: path, detail: "layer_norm_epsilon must be positive")
        }
        if let localWindow, !(1...positions).contains(localWindow) {
            throw ModelsError.windowOutOfRange(
                path: path, window: localWindow, detail: "is outside 1...\(positions) (n_positions)")
        }
        if let problem = ModelLimits.windowMemory(
            window: contextLength, layers: layers, keyValueWidth: width, rotaryWidth: 0)
        {
            throw ModelsError.windowOutOfRange(path: path, window: contextLength, detail: problem)
        }
    }
}
