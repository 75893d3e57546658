/// InfLLM's settings chosen by the caller (its option names: block_size, n_init, topk, repr_topk,
/// exc_block_size); nil keeps the default for the local window.
public struct InfLLMOptions: Sendable, Equatable {
    public var blockSize: Int?
    public var initialTokens: Int?
    public var topK: Int?
    public var representativeTokens: Int?
    public var executionBlock: Int?

    public init(
        blockSize: Int? = nil, initialTokens: Int? = nil, topK: Int? = nil, representativeTokens: Int? = nil,
        executionBlock: Int? = nil
    ) {
        self.blockSize = blockSize
        self.initialTokens = initialTokens
        self.topK = topK
        self.representativeTokens = representativeTokens
        self.executionBlock = executionBlock
    }

    /// The settings for a local window of `window` tokens holding at most `memorySize` unit tokens.
    public func settings(window: Int, memorySize: Int?) -> InfLLMSettings {
        var settings = InfLLMSettings.defaults(window: window, memorySize: memorySize ?? 65_536)
        settings.blockSize = blockSize ?? settings.blockSize
        settings.initialTokens = initialTokens ?? settings.initialTokens
        settings.topK = topK ?? settings.topK
        settings.representativeTokens = representativeTokens ?? min(settings.representativeTokens, settings.blockSize)
        settings.executionBlock = executionBlock ?? settings.executionBlock
        return settings
    }
}
