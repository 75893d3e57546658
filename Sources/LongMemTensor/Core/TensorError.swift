/// Errors of the tensor layer: file formats (safetensors, GGUF) and shape checks.
/// Every case names the file or tensor at fault so that a one-line message is enough to fix it.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    /// A directory, FIFO, device or socket where a file was to be read (`kind`: "a directory", ...).
    case notRegularFile(path: String, kind: String)
    case permissionDenied(path: String)
    case unreadable(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case truncated(path: String, detail: String)
    case malformedHeader(path: String, detail: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    case missingTensor(path: String, tensor: String)
    case unusedTensors(path: String, tensors: [String])
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): file not found"
        case .notRegularFile, .permissionDenied: return "\(path ?? ""): \(problem)"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .truncated(let path, let detail): return "\(path): truncated file: \(detail)"
        case .malformedHeader(let path, let detail): return "\(path): malformed header: \(detail)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has unsupported dtype \(dtype)"
        case .shapeMismatch(let tensor, let expected, let found):
            return "tensor '\(tensor)': expected shape \(expected), found \(found)"
        case .missingTensor(let path, let tensor): return "\(path): missing tensor '\(tensor)'"
        case .unusedTensors(let path, let tensors):
            let shown = tensors.prefix(5).joined(separator: ", ")
            let more = tensors.count > 5 ? " and \(tensors.count - 5) more" : ""
            return "\(path): unused tensors \(shown)\(more)"
        case .invalidArgument(let message): return message
        }
    }
}

extension TensorError {
    /// The file a file error is about.
    public var path: String? {
        switch self {
        case .fileNotFound(let path), .notRegularFile(let path, _), .permissionDenied(let path),
            .unreadable(let path, _), .unwritable(let path, _), .truncated(let path, _), .malformedHeader(let path, _),
            .unsupportedDType(let path, _, _), .missingTensor(let path, _), .unusedTensors(let path, _):
            return path
        case .shapeMismatch, .invalidArgument: return nil
        }
    }

    /// What is wrong, without the path: for the layers that tell a `RegularFile` failure in their own error
    /// type ("file not found", "is a FIFO (named pipe), not a regular file", "permission denied").
    public var problem: String {
        switch self {
        case .fileNotFound: return "file not found"
        case .notRegularFile(_, let kind): return "is \(kind), not a regular file"
        case .permissionDenied: return "permission denied"
        case .unreadable(_, let reason): return reason
        default:
            guard let path, description.hasPrefix(path + ": ") else { return description }
            return String(description.dropFirst(path.count + 2))
        }
    }
}
