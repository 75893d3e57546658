import Foundation

/// Writes whole files through a temporary name and a rename, so a reader (or a crash) never sees half a
/// report, baseline or JUnit file.
public enum AtomicFile {
    public static func write(_ text: String, to path: String) throws {
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ReportError.writeFailed(path: path, reason: JSONDocumentReader.reason(error))
        }
    }
}
