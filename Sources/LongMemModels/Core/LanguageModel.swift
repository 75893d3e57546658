import LongMemTensor

/// What every model tells the harness about itself.
public struct ModelDescriptor: Sendable, Codable, Equatable {
    /// Architecture id from the registry, e.g. "gpt2", "newgpt", "llama".
    public var architecture: String
    public var vocabularySize: Int
    /// Longest sequence one forward pass accepts (the local window).
    public var contextLength: Int
    public var layers: Int
    public var width: Int
    public var heads: Int

    public init(architecture: String, vocabularySize: Int, contextLength: Int, layers: Int, width: Int, heads: Int) {
        self.architecture = architecture
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.layers = layers
        self.width = width
        self.heads = heads
    }
}

/// A causal language model: the one contract the harness scores against.
///
/// `hiddenStates(for:)` packs several sequences into one forward pass (one large matrix product per
/// layer instead of many small ones); each sequence attends only to itself and starts at position 0,
/// so the result for a sequence does not depend on what it is packed with, beyond float rounding.
/// Logits come from `outputHead`, usually a few rows at a time (see `LogitReduction`): scoring never
/// needs the whole (T, V) matrix at once.
public protocol LanguageModel: AnyObject {
    var descriptor: ModelDescriptor { get }

    /// Final hidden states (total tokens, C), after the last normalisation; row t predicts token t+1.
    func hiddenStates(for sequences: [[Int]]) throws -> Tensor

    /// The output projection (C) -> (V).
    var outputHead: Linear { get }
}

extension LanguageModel {
    /// Full logits (total tokens, V); prefer `LogitReduction` when only a few numbers per row are needed.
    public func logits(for sequences: [[Int]]) throws -> Tensor {
        let hidden = try hiddenStates(for: sequences)
        let logits = Tensor(zeros: [hidden.rows, descriptor.vocabularySize])
        outputHead(hidden, into: logits)
        return logits
    }

    /// Checks a batch against the model's limits before any work is done.
    public func validate(_ sequences: [[Int]]) throws {
        guard !sequences.isEmpty, sequences.allSatisfy({ !$0.isEmpty }) else { throw ModelsError.emptyInput }
        let limit = descriptor.contextLength
        if let long = sequences.first(where: { $0.count > limit }) {
            throw ModelsError.sequenceTooLong(length: long.count, limit: limit)
        }
        let vocabulary = descriptor.vocabularySize
        for sequence in sequences {
            if let bad = sequence.first(where: { $0 < 0 || $0 >= vocabulary }) {
                throw ModelsError.tokenOutOfRange(token: bad, vocabularySize: vocabulary)
            }
        }
    }
}
