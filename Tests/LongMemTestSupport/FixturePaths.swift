import Foundation

/// Where tests find committed fixtures and the shared datasets.
public enum FixturePaths {
    /// The repository root (this file is Tests/LongMemTestSupport/FixturePaths.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    public static func fixture(_ relative: String) -> String { root + "/Tests/Fixtures/" + relative }

    /// `LONGMEM_EVAL_DATA`, else ../shared/datasets beside the repository.
    public static var datasets: String {
        ProcessInfo.processInfo.environment["LONGMEM_EVAL_DATA"]
            ?? URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared/datasets").path
    }

    public static func dataset(_ relative: String) -> String { datasets + "/" + relative }

    /// A fresh temporary directory, removed by the caller when done.
    public static func temporaryDirectory(_ label: String = "longmem-eval-test") -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
