/// Errors of request building and scoring.
public enum HarnessError: Error, CustomStringConvertible, Equatable {
    case emptyText(source: String)
    case invalidWindow(window: Int, limit: Int)
    case invalidBatchSize(Int)
    case noPrefixToken

    public var description: String {
        switch self {
        case .emptyText(let source): return "\(source): empty text, nothing to score"
        case .invalidWindow(let window, let limit):
            return "window \(window) is outside 2...\(limit) (the model's positions)"
        case .invalidBatchSize(let size): return "batch size must be at least 1, got \(size)"
        case .noPrefixToken: return "the tokenizer has no end-of-text token to condition an empty context on"
        }
    }
}
