import Foundation
import LongMemTensor

/// Decodes a `config.json` into a configuration type, turning `DecodingError`s into one-line
/// messages that name the file, the key, the value found and the type expected.
public enum ConfigurationFile {
    public static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let data = try ModelFiles.read(path)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ModelsError.invalidConfiguration(path: path, detail: error.summary(json: data))
        } catch {
            throw ModelsError.invalidConfiguration(path: path, detail: "\(error)")
        }
    }

    /// The `model_type` field, if any.
    public static func modelType(path: String) throws -> String? {
        struct Probe: Decodable {
            var model_type: String?  // swiftlint:disable:this identifier_name
        }
        return try decode(Probe.self, path: path).model_type
    }
}

/// Model files and folders as this layer reads them: every file passes `RegularFile` first.
enum ModelFiles {
    /// The whole file, or `missingFile` / `unreadable` naming it.
    static func read(_ path: String) throws -> Data {
        do { return try RegularFile.read(path) } catch { throw ModelsError(error) }
    }

    /// Throws `missingFile` / `unreadable` unless `path` is a readable regular file.
    static func check(_ path: String) throws {
        do { try RegularFile.check(path) } catch { throw ModelsError(error) }
    }
}

extension ModelsError {
    /// A `RegularFile` failure in this layer's terms.
    init(_ error: TensorError) {
        if case .fileNotFound(let path) = error {
            self = .missingFile(path: path)
        } else {
            self = .unreadable(path: error.path ?? "", reason: error.problem)
        }
    }
}
