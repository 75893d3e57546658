/// The buffers of a `ScratchSpace`, named by what they hold. Slots never share memory, so code may hold
/// any of them while it asks for another. Which are live together, and so must stay distinct:
///
/// - One transformer block (a backbone's or the SideNet's): `normed`, `projections`, `rotated`, `attended`
///   and `inner` are all live through the block. Attention reads q, k, v from `projections` (and
///   `rotated`) while writing `attended`; the feed-forward then reads `normed` again (GPT-2*'s parallel
///   block) or rewrites it (sequential blocks).
/// - `attentionScores`: `Attention.causal`'s score blocks, live while it reads the block's q, k, v and
///   writes `attended`.
/// - `localNormalisers`: the local softmax's log-normalisers, which memory attention (LongMem, InfLLM)
///   keeps across `Attention.causal` and its memory readout to weigh one against the other.
/// - `selectedRows` and `logitChunk`: `LogitReduction`'s gathered hidden rows and one vocabulary chunk of
///   their logits, which the chunk's product writes while reading the rows.
public enum ScratchSlot: Hashable, Sendable {
    /// (T, C) a block's normalised input.
    case normed
    /// (T, q | k | v) a block's attention projections.
    case projections
    /// (T, q | k) rotated queries and keys (rotary backbones; empty otherwise).
    case rotated
    /// (T, H D) a block's attention output, before its output projection.
    case attended
    /// (T, F) the feed-forward's inner activations (gate | up for SwiGLU).
    case inner
    /// Attention score blocks, (work items, block rows, longest span).
    case attentionScores
    /// (T, H) log-sum-exp of each token and head's local attention.
    case localNormalisers
    /// (rows, C) the hidden rows `LogitReduction` projects.
    case selectedRows
    /// (rows, vocabulary chunk) their logits for one chunk of the vocabulary.
    case logitChunk
}
