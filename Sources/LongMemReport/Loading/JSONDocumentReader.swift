import Foundation
import LongMemTensor

/// Reads the project's versioned JSON documents (results, paper reference, regression baseline).
///
/// Checks run from the cheapest to the most specific so the error names the first real problem: the file
/// is missing or empty, is not JSON, is another kind of document (`schema`), is a version this build does
/// not read (`schema_version`), and only then whether its fields decode. Reading `schema` before decoding
/// means a baseline passed where results were expected says so, instead of listing missing keys.
enum JSONDocumentReader {
    static func decode<Document: Decodable>(
        _ type: Document.Type, path: String, name: String, schema: String, version: Int
    ) throws -> Document {
        let data = try read(path: path, name: name)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw ReportError.invalidJSON(path: name, reason: Self.reason(error))
        }
        guard let dictionary = object as? [String: Any] else {
            throw ReportError.schemaMismatch(path: name, reason: "top level is not a JSON object")
        }
        guard let found = dictionary["schema"] as? String else {
            throw ReportError.wrongSchema(path: name, found: "(missing)", expected: schema)
        }
        guard found == schema else { throw ReportError.wrongSchema(path: name, found: found, expected: schema) }
        guard let foundVersion = dictionary["schema_version"] as? Int else {
            throw ReportError.schemaMismatch(path: name, reason: "schema_version is missing or not an integer")
        }
        guard foundVersion == version else {
            throw ReportError.unsupportedSchemaVersion(path: name, found: foundVersion, supported: version)
        }
        do {
            return try JSONDecoder.longMemDocuments.decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw ReportError.schemaMismatch(path: name, reason: error.summary(json: data))
        } catch {
            throw ReportError.schemaMismatch(path: name, reason: Self.reason(error))
        }
    }

    /// The file's bytes, with a distinct error for a missing file, a folder, a FIFO or device, a permission
    /// problem and an empty file (`RegularFile` looks before anything is opened).
    static func read(path: String, name: String) throws -> Data {
        let data: Data
        do { data = try RegularFile.read(path) } catch {
            if case .fileNotFound = error { throw ReportError.fileNotFound(path: name) }
            throw ReportError.unreadable(path: name, reason: error.problem)
        }
        // Whitespace-only counts as empty: there is no document in it either.
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw ReportError.emptyFile(path: name)
        }
        return data
    }

    /// Foundation's error texts span lines and repeat the domain; keep the useful part on one line.
    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        let text = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
