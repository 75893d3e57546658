import Foundation

/// Where the datasets live, and which rule chose it.
///
/// The order is the usual one for tools (explicit flag, then environment, then a per-user cache): a flag on
/// the command line is the most deliberate choice, the environment variable configures a whole session or CI
/// job (the Makefile points it at `../shared/datasets`), and the cache directory is where `datasets fetch`
/// puts files when nothing else is said. Reporting the rule matters because "file missing" errors are
/// confusing when the user does not know which directory was searched.
public struct DataDirectory: Equatable, Sendable, CustomStringConvertible {
    /// The environment variable that names the data directory.
    public static let environmentVariable = "LONGMEM_EVAL_DATA"
    /// The default location under the home directory.
    public static let defaultRelativePath = ".cache/longmem-eval/datasets"

    public enum Rule: String, Equatable, Sendable {
        /// `--data-dir` on the command line.
        case explicit = "--data-dir"
        /// The `LONGMEM_EVAL_DATA` environment variable.
        case environment = "LONGMEM_EVAL_DATA"
        /// `~/.cache/longmem-eval/datasets`.
        case defaultLocation = "default"
    }

    /// Absolute or as given; `~` is expanded.
    public let path: String
    public let rule: Rule

    public init(path: String, rule: Rule) {
        self.path = path
        self.rule = rule
    }

    /// Resolves `explicit`, else `environment[LONGMEM_EVAL_DATA]`, else `home/.cache/longmem-eval/datasets`.
    /// Empty strings count as unset (a shell `LONGMEM_EVAL_DATA=` should not mean the current directory).
    public static func resolve(
        explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String = NSHomeDirectory()
    ) -> DataDirectory {
        if let explicit, !explicit.isEmpty {
            return DataDirectory(path: expandTilde(explicit, home: homeDirectory), rule: .explicit)
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            return DataDirectory(path: expandTilde(value, home: homeDirectory), rule: .environment)
        }
        let home = homeDirectory.hasSuffix("/") ? String(homeDirectory.dropLast()) : homeDirectory
        return DataDirectory(path: home + "/" + defaultRelativePath, rule: .defaultLocation)
    }

    /// The absolute path of a manifest-relative file.
    public func path(of relative: String) -> String {
        path.hasSuffix("/") ? path + relative : path + "/" + relative
    }

    /// "PATH (from --data-dir)" and so on: for messages.
    public var description: String {
        switch rule {
        case .explicit: return "\(path) (from --data-dir)"
        case .environment: return "\(path) (from \(Self.environmentVariable))"
        case .defaultLocation: return "\(path) (the default; set --data-dir or \(Self.environmentVariable))"
        }
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }
}
