import Foundation
import LongMemTensor

/// Errors of model loading and scoring. Each names the file, tensor or option at fault.
public enum ModelsError: Error, CustomStringConvertible {
    case modelDirectoryNotFound(path: String)
    /// `--model` names something other than a folder: a file (`kind` "a regular file"), a FIFO, a device.
    case notAModelFolder(path: String, kind: String)
    /// A single `.gguf` file where its folder is expected.
    case ggufFileNotFolder(path: String)
    case missingFile(path: String)
    /// A model file or folder that exists but cannot be read (`reason`: "is a directory, not a regular file",
    /// "permission denied", ...).
    case unreadable(path: String, reason: String)
    case invalidConfiguration(path: String, detail: String)
    /// The local window (of config.json, GGUF metadata or the caller) is out of the model's range or would
    /// not fit in memory.
    case windowOutOfRange(path: String, window: Int, detail: String)
    case unsupportedModelType(path: String, modelType: String)
    case weights(TensorError)
    case emptyInput
    case sequenceTooLong(length: Int, limit: Int)
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .modelDirectoryNotFound(let path): return "\(path): model folder not found"
        case .notAModelFolder(let path, let kind): return "\(path): is \(kind), not a model folder"
        case .ggufFileNotFolder(let path):
            let folder = (path as NSString).deletingLastPathComponent
            return "\(path): is a .gguf file; give the folder that holds it (\(folder.isEmpty ? "." : folder)), "
                + "with no other .gguf file and no config.json beside it"
        case .missingFile(let path): return "\(path): file not found"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .invalidConfiguration(let path, let detail): return "\(path): invalid configuration: \(detail)"
        case .windowOutOfRange(let path, let window, let detail): return "\(path): local window \(window) \(detail)"
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
