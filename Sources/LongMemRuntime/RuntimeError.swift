/// Errors of the memory-augmented runtime; each names the option, tensor or file at fault.
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case invalidOption(option: String, detail: String)
    case emptyStream
    case incompatibleWeights(path: String, detail: String)
    case unsupportedMethod(method: String, architecture: String)

    public var description: String {
        switch self {
        case .invalidOption(let option, let detail): return "\(option): \(detail)"
        case .emptyStream: return "empty token stream: nothing to feed the model"
        case .incompatibleWeights(let path, let detail): return "\(path): \(detail)"
        case .unsupportedMethod(let method, let architecture):
            return "--method \(method) is not available for \(architecture) backbones"
        }
    }
}
