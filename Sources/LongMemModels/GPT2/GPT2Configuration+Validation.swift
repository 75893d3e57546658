import LongMemTensor

extension GPT2Configuration {
    public var headDim: Int { width / heads }
    /// Longest sequence of one forward pass: `local_window` when set, else n_positions.
    public var contextLength: Int { localWindow ?? positions }

    /// Checks what the decoder cannot: positive sizes, head divisibility, a known activation, the window.
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
                    "local window \(localWindow) must be in 1...\(positions) (n_positions)")
        }
    }
}
