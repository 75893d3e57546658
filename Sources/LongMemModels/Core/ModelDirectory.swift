import Foundation
import LongMemTensor

/// An HF-style model folder: `config.json`, `model.safetensors` and (usually) tokenizer files.
public struct ModelDirectory: Sendable {
    public let path: String
    /// A local window to impose on the model (its longest forward, the segment length of memory methods),
    /// at most its own context length; nil keeps the model's.
    public var localWindow: Int?

    /// Checks that `path` is a folder this process can list; a missing path, a file (a single `.gguf`
    /// file has its own message), a FIFO or device, and a folder without permission are told apart.
    public init(path: String, localWindow: Int? = nil) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == EACCES { throw ModelsError.unreadable(path: path, reason: "permission denied") }
            throw ModelsError.modelDirectoryNotFound(path: path)
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            if status.st_mode & S_IFMT == S_IFREG, path.lowercased().hasSuffix(".gguf") {
                throw ModelsError.ggufFileNotFolder(path: path)
            }
            let kind = status.st_mode & S_IFMT == S_IFREG ? "a regular file" : RegularFile.kind(of: status.st_mode)
            throw ModelsError.notAModelFolder(path: path, kind: kind)
        }
        guard access(path, R_OK | X_OK) == 0 else {
            throw ModelsError.unreadable(path: path, reason: "permission denied")
        }
        self.path = path
        self.localWindow = localWindow
    }

    /// The folder's last path component, used to name the model in results.
    public var name: String { URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent }
    public var configurationPath: String { file("config.json") }
    public var weightsPath: String { file("model.safetensors") }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// The path of `name` in the folder, which must be a readable regular file.
    public func requireFile(_ name: String) throws -> String {
        let path = file(name)
        try ModelFiles.check(path)
        return path
    }
}
