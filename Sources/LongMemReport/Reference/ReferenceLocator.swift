import Foundation

/// Finds `Reports/reference/paper.json` when the user does not name it: above the current folder first
/// (running from a checkout), then above the executable (an installed build next to its repository).
public enum ReferenceLocator {
    public static let relativePath = "Reports/reference/paper.json"

    /// The first `Reports/reference/paper.json` found walking up from each start folder in turn.
    /// - Throws: `ReportError.referenceNotFound` naming the folders searched.
    public static func locate(from starts: [String]) throws -> String {
        for start in starts {
            var directory = URL(fileURLWithPath: start).standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent(relativePath).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw ReportError.referenceNotFound(searched: starts)
    }
}
