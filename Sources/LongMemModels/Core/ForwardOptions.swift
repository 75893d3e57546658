import LongMemTensor

/// Lets a memory method compute some blocks' attention itself.
public protocol AttentionOverride: AnyObject {
    /// Whether this replaces the attention of backbone block `layer` (0-based).
    func overrides(layer: Int) -> Bool
    /// Writes block `layer`'s attention output (T, H*D), before the output projection.
    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int)
}

/// What a forward pass should do besides computing the final hidden states.
public struct ForwardOptions {
    public var attentionOverride: AttentionOverride?
    /// Blocks whose input hidden state H[i] to keep (`blocks.count` = the final normalised state).
    public var capturedHiddenStates: Set<Int>
    /// Stop after block `lastAttention`'s attention: the rest of that block, the later blocks and the final
    /// norm are skipped, and the result's `hidden` is that block's input. For passes that only need one
    /// block's keys and values (a memory write); never with a cache, whose later blocks would stay empty.
    public var lastAttention: Int?

    public init(
        attentionOverride: AttentionOverride? = nil, capturedHiddenStates: Set<Int> = [], lastAttention: Int? = nil
    ) {
        self.attentionOverride = attentionOverride
        self.capturedHiddenStates = capturedHiddenStates
        self.lastAttention = lastAttention
    }
}

extension ForwardOptions {
    /// Block `layer`'s attention: the override's when it targets this block, else the standard one.
    public func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if let override = attentionOverride, override.overrides(layer: layer) {
            override.attend(layer: layer, projections, into: output, outputStride: outputStride)
        } else {
            projections.standard(into: output, outputStride: outputStride)
        }
    }

    /// Keeps a copy of H[index] when it was asked for.
    public func capture(_ index: Int, _ hidden: Tensor, into states: inout [Int: Tensor]) {
        if capturedHiddenStates.contains(index) { states[index] = hidden.copy() }
    }
}

/// Final hidden states and whatever `ForwardOptions` asked to keep.
public struct ForwardResult {
    /// (T, C) after the final normalisation.
    public var hidden: Tensor
    /// H[i]: the input of block i, copies; H[layers] is the final normalised state.
    public var hiddenStates: [Int: Tensor]
}
