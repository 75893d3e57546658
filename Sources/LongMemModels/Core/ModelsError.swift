import LongMemTensor

/// Errors of model loading and scoring. Each names the file, tensor or option at fault.
public enum ModelsError: Error, CustomStringConvertible {
    case modelDirectoryNotFound(path: String)
    case missingFile(path: String)
    case invalidConfiguration(path: String, detail: String)
    case unsupportedModelType(path: String, modelType: String)
    case weights(TensorError)
    case emptyInput
    case sequenceTooLong(length: Int, limit: Int)
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .modelDirectoryNotFound(let path): return "\(path): model folder not found"
        case .missingFile(let path): return "\(path): file not found"
        case .invalidConfiguration(let path, let detail): return "\(path): invalid configuration: \(detail)"
        case .unsupportedModelType(let path, let type):
            return
                "\(path): unsupported model_type '\(type)' (known: \(ModelRegistry.knownTypes.joined(separator: ", ")))"
        case .weights(let error): return error.description
        case .emptyInput: return "empty input: nothing to score"
        case .sequenceTooLong(let length, let limit):
            return "sequence of \(length) tokens exceeds the model's \(limit) positions"
        case .tokenOutOfRange(let token, let size): return "token id \(token) outside the vocabulary of \(size)"
        case .invalidArgument(let message): return message
        }
    }
}
