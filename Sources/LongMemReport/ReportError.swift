/// Everything that can go wrong between a results file and a written report or regression verdict.
///
/// Each case carries the file it is about, so the message a user sees is one line that names the file
/// and the problem (`results.json: schema_version 3 is not supported (this build reads 1)`).
public enum ReportError: Error, CustomStringConvertible, Equatable {
    case noInputs
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case directoryWithoutResults(path: String)
    case invalidJSON(path: String, reason: String)
    case wrongSchema(path: String, found: String, expected: String)
    case unsupportedSchemaVersion(path: String, found: Int, supported: Int)
    case schemaMismatch(path: String, reason: String)
    case duplicateMetric(path: String, key: String)
    /// A number that is not finite or out of range (`ReportLimits`), named by its field.
    case badNumber(path: String, field: String, value: Double, detail: String)
    case referenceNotFound(searched: [String])
    case unknownFormat(String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .noInputs: return "no results files given: pass one or more results.json files or run folders"
        case .fileNotFound(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .emptyFile(let path): return "\(path): empty file"
        case .directoryWithoutResults(let path): return "\(path): folder has no results.json"
        case .invalidJSON(let path, let reason): return "\(path): not valid JSON (\(reason))"
        case .wrongSchema(let path, let found, let expected):
            return "\(path): schema is \"\(found)\", expected \"\(expected)\""
        case .unsupportedSchemaVersion(let path, let found, let supported):
            return "\(path): schema_version \(found) is not supported (this build reads \(supported))"
        case .schemaMismatch(let path, let reason): return "\(path): does not match the schema (\(reason))"
        case .duplicateMetric(let path, let key): return "\(path): metric \(key) appears more than once"
        case .badNumber(let path, let field, let value, let detail): return "\(path): \(field) = \(value) \(detail)"
        case .referenceNotFound(let searched):
            return "Reports/reference/paper.json not found (looked in \(searched.joined(separator: ", "))): "
                + "pass --reference FILE or --no-reference"
        case .unknownFormat(let format): return "unknown report format \"\(format)\" (known: md, html)"
        case .writeFailed(let path, let reason): return "\(path): cannot be written (\(reason))"
        }
    }
}
