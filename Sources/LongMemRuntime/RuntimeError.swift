/// Errors of the memory-augmented runtime; each names the setting, tensor or file at fault, in the
/// runtime's own terms (the command line maps settings to its options).
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(MemorySetting, detail: String)
    case emptyStream
    case incompatibleWeights(path: String, detail: String)
    case unsupportedMethod(method: String, architecture: String)

    public var description: String {
        switch self {
        case .invalidSetting(let setting, let detail): return "\(setting.rawValue): \(detail)"
        case .emptyStream: return "empty token stream: nothing to feed the model"
        case .incompatibleWeights(let path, let detail): return "\(path): \(detail)"
        case .unsupportedMethod(let method, let architecture):
            return "method \(method) is not available for \(architecture) backbones"
        }
    }
}

extension RuntimeError {
    /// Throws `invalidSetting(setting, detail)` unless `condition` holds.
    static func require(
        _ condition: Bool, _ setting: MemorySetting, _ detail: @autoclosure () -> String
    ) throws(RuntimeError) {
        guard condition else { throw .invalidSetting(setting, detail: detail()) }
    }
}
