/// Errors of the cluster job files and their submission; each names the setting, path or command at
/// fault in this target's own terms (the command line maps settings to its options).
public enum ClusterError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(ClusterSetting, detail: String)
    /// A scheduler command (`sbatch`) that could not be run, failed, or printed something unexpected.
    case commandFailed(command: String, detail: String)

    public var description: String {
        switch self {
        case .invalidSetting(let setting, let detail): return "\(setting.rawValue): \(detail)"
        case .commandFailed(let command, let detail): return "\(command): \(detail)"
        }
    }
}

extension ClusterError {
    /// Throws `invalidSetting(setting, detail)` unless `condition` holds.
    static func require(
        _ condition: Bool, _ setting: ClusterSetting, _ detail: @autoclosure () -> String
    ) throws(ClusterError) {
        guard condition else { throw .invalidSetting(setting, detail: detail()) }
    }
}
