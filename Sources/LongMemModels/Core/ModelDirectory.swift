import Foundation

/// An HF-style model folder: `config.json`, `model.safetensors` and (usually) tokenizer files.
public struct ModelDirectory: Sendable {
    public let path: String
    /// A local window to impose on the model (its longest forward, the segment length of memory methods),
    /// at most its own context length; nil keeps the model's.
    public var localWindow: Int?

    public init(path: String, localWindow: Int? = nil) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ModelsError.modelDirectoryNotFound(path: path)
        }
        self.path = path
        self.localWindow = localWindow
    }

    /// The folder's last path component, used to name the model in results.
    public var name: String { URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent }
    public var configurationPath: String { file("config.json") }
    public var weightsPath: String { file("model.safetensors") }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func requireFile(_ name: String) throws -> String {
        let path = file(name)
        guard FileManager.default.fileExists(atPath: path) else { throw ModelsError.missingFile(path: path) }
        return path
    }
}
