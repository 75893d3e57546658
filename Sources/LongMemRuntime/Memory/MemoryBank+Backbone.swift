import LongMemModels

extension MemoryBank {
    /// A bank for `backbone`'s keys and values (a slot per key head), or, with `validating`, only after
    /// checking `configuration` against the backbone's blocks and local window.
    public convenience init(
        _ configuration: MemoryConfiguration, for backbone: TransformerBackbone, validating: Bool = true
    ) throws {
        if validating {
            try configuration.validate(layers: backbone.layerCount, segmentLength: backbone.descriptor.contextLength)
        }
        let geometry = backbone.attentionGeometry
        if let problem = configuration.memoryProblem(heads: geometry.kvHeads, dimension: geometry.headDim) {
            throw RuntimeError.invalidSetting(.memorySize, detail: problem)
        }
        self.init(configuration: configuration, heads: geometry.kvHeads, dimension: geometry.headDim)
    }
}
