import Foundation

/// Checks the files of a data directory against the manifest: presence, size, then streaming SHA-256.
///
/// The size is compared first because it is free and catches the common failure (a truncated download)
/// without reading the file; the checksum then catches everything else.
public struct DatasetVerifier: Sendable {
    public let manifest: DatasetManifest
    public let directory: DataDirectory

    public init(manifest: DatasetManifest = .embedded, directory: DataDirectory) {
        self.manifest = manifest
        self.directory = directory
    }

    /// One result per file of the named datasets (all datasets when `names` is empty), in manifest order.
    /// Throws only for an unknown dataset name; file problems are results.
    public func verify(_ names: [String] = []) throws(DataError) -> [FileVerification] {
        try manifest.files(in: names).map(verify(file:))
    }

    /// The state of one file.
    public func verify(file: DatasetFile) -> FileVerification {
        let path = directory.path(of: file.path)
        return FileVerification(file: file, path: path, status: Self.status(of: file, at: path))
    }

    static func status(of file: DatasetFile, at path: String) -> FileVerification.Status {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if isDirectory.boolValue { return .unreadable(reason: "is a directory") }
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            return .unreadable(reason: error.localizedDescription)
        }
        if let expected = file.bytes, expected != size { return .sizeMismatch(expected: expected, actual: size) }
        guard let expected = file.sha256 else { return .unverified(bytes: size) }
        let actual: String
        do { actual = try FileHash.sha256(path: path) } catch {
            return .unreadable(reason: "\(error)")
        }
        return actual == expected.lowercased() ? .verified : .checksumMismatch(expected: expected, actual: actual)
    }
}
