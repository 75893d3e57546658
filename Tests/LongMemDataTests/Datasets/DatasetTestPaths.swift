import Foundation

/// Where the dataset tests find the repository and the shared data directory.
///
/// The repository root comes from this file's path with symbolic links resolved, so the tests also work when
/// the folder is compiled through a link from a scratch package.
enum DatasetTestPaths {
    /// The repository root (this file is Tests/LongMemTasksTests/Datasets/DatasetTestPaths.swift).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `Datasets/manifest.json` in the repository.
    static var manifestFile: String { repositoryRoot + "/Datasets/manifest.json" }

    /// `$LONGMEM_EVAL_DATA`, else `../shared/datasets` beside the repository.
    static var dataDirectory: String {
        if let value = ProcessInfo.processInfo.environment["LONGMEM_EVAL_DATA"], !value.isEmpty { return value }
        return URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent(
            "shared/datasets"
        ).path
    }

    static func dataset(_ relative: String) -> String { dataDirectory + "/" + relative }

    struct MissingData: Error, CustomStringConvertible {
        let description: String
    }

    /// The path of a shared dataset file, or an error that says where it was looked for and how to fix it.
    static func require(_ relative: String) throws -> String {
        let path = dataset(relative)
        guard FileManager.default.fileExists(atPath: path) else {
            let source =
                ProcessInfo.processInfo.environment["LONGMEM_EVAL_DATA"].map { _ in "LONGMEM_EVAL_DATA" }
                ?? "the default ../shared/datasets beside the repository"
            throw MissingData(
                description: "\(path): shared dataset file not found (the data directory \(dataDirectory) comes from "
                    + "\(source); set LONGMEM_EVAL_DATA to the shared datasets directory)")
        }
        return path
    }

    /// A fresh temporary directory.
    static func temporaryDirectory(_ label: String = "longmem-datasets-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
