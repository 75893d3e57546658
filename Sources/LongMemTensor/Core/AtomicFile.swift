import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif

/// The one way longmem-eval writes a whole file (results, reports, baselines, datasets, weights): the bytes
/// go to a temporary file in the same folder, are synced to disk, and are renamed over the final name,
/// whose folder is then synced too. A reader or a crash sees the old file or the complete new one, never
/// half of one, and a finished write survives a power cut.
public enum AtomicFile {
    /// Writes `data` to `path`; with `createFolder`, its folder is created when missing.
    public static func write(_ data: Data, to path: String, createFolder: Bool = false) throws(TensorError) {
        try write([(path, data)], createFolder: createFolder)
    }

    /// Writes several files as one set (a report's Markdown and HTML): each is staged (written whole and
    /// synced beside its target) before any is renamed into place, so a failure while writing leaves every
    /// old file as it was, and the renames then follow one another at once. A target that is a folder is
    /// refused before anything is written.
    public static func write(_ files: [(path: String, data: Data)], createFolder: Bool = false) throws(TensorError) {
        var staged: [String] = []
        do throws(TensorError) {
            for (path, data) in files {
                try prepareFolder(of: path, create: createFolder)
                staged.append(try stage(data, for: path))
            }
            for (temporary, file) in zip(staged, files) where rename(temporary, file.path) != 0 {
                throw TensorError.unwritable(path: file.path, reason: lastError())
            }
        } catch {
            for temporary in staged { unlink(temporary) }
            throw error
        }
        for folder in Set(files.map { folderOf($0.path) }) { syncFolder(folder) }
    }

    /// Checks that `path` can be replaced by a file, creating its folder with `create`.
    private static func prepareFolder(of path: String, create: Bool) throws(TensorError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw TensorError.unwritable(path: path, reason: "it is a folder")
        }
        // A file where a folder is expected: name it (Foundation's own message does not).
        var ancestor = folderOf(path)
        while !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder) {
            ancestor = folderOf(ancestor)
        }
        guard isFolder.boolValue else {
            throw TensorError.unwritable(path: path, reason: "\(ancestor) is a file, not a folder")
        }
        guard create else { return }
        do {
            try FileManager.default.createDirectory(atPath: folderOf(path), withIntermediateDirectories: true)
        } catch {
            throw TensorError.unwritable(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
        }
    }

    /// Writes `data` to a fresh file beside `path` and syncs it; returns the file's name.
    private static func stage(_ data: Data, for path: String) throws(TensorError) -> String {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw TensorError.unwritable(path: path, reason: lastError()) }
        var failure: String?
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = lastError()
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = lastError() }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw TensorError.unwritable(path: path, reason: failure)
        }
        return temporary
    }

    private static func folderOf(_ path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    public static func write(_ text: String, to path: String, createFolder: Bool = false) throws(TensorError) {
        try write(Data(text.utf8), to: path, createFolder: createFolder)
    }

    /// A fresh name beside `path` for staging its new contents.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(UUID().uuidString)"
    }

    /// Moves a complete file staged beside `path` (see `temporaryPath`) into place: synced, renamed, and the
    /// folder synced. The staged file is removed on failure.
    public static func install(_ staged: String, at path: String) throws(TensorError) {
        let descriptor = open(staged, O_RDONLY)
        var failure: String?
        if descriptor < 0 || fsync(descriptor) != 0 { failure = lastError() }
        if descriptor >= 0 { close(descriptor) }
        if failure == nil, rename(staged, path) != 0 { failure = lastError() }
        if let failure {
            unlink(staged)
            throw TensorError.unwritable(path: path, reason: failure)
        }
        syncFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// A rename (or a new file) is on disk only once its folder's entries are.
    public static func syncFolder(_ folder: String) {
        let descriptor = open(folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
