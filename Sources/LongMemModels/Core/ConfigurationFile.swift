import Foundation

/// Decodes a `config.json` into a configuration type, turning `DecodingError`s into one-line
/// messages that name the file and the key.
public enum ConfigurationFile {
    public static func decode<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        guard FileManager.default.fileExists(atPath: path) else { throw ModelsError.missingFile(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ModelsError.invalidConfiguration(path: path, detail: "cannot read: \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ModelsError.invalidConfiguration(path: path, detail: describe(error))
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

    static func describe(_ error: DecodingError) -> String {
        func keyPath(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = keyPath(context.codingPath)
            return "missing key '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            return "key '\(keyPath(context.codingPath))' is not of type \(type)"
        case .valueNotFound(let type, let context):
            return "key '\(keyPath(context.codingPath))' is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "key '\(keyPath(context.codingPath))' is invalid"
        @unknown default:
            return "\(error)"
        }
    }
}
