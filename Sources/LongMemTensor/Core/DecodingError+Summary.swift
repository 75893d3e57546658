import Foundation

extension DecodingError {
    /// A short one-line phrase with the JSON path at fault (`model.merges[3]`), for the messages of every
    /// file whose JSON is decoded (tokenizer files, config.json, results).
    public var summary: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "missing key '\(Self.path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "wrong type at '\(Self.path(context.codingPath))': expected \(type)"
        case .valueNotFound(let type, let context):
            return "null at '\(Self.path(context.codingPath))': expected \(type)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "bad value at '\(Self.path(context.codingPath))': \(Self.oneLine(context.debugDescription))"
        @unknown default:
            return Self.oneLine(String(describing: self))
        }
    }

    /// `summary`, with the value found at the key when the problem is its type (`wrong type at 'n_embd':
    /// expected Int, found the string "8"`), read back from the decoded `json`. (A bad value's own message
    /// already quotes it.)
    public func summary(json: Data) -> String {
        switch self {
        case .typeMismatch(_, let context):
            guard !context.codingPath.isEmpty, let found = Self.value(at: context.codingPath, in: json) else {
                return summary
            }
            return summary + ", found " + found
        default: return summary
        }
    }

    /// The JSON value at `codingPath` in `json`, described for a message (at most 80 characters of it).
    static func value(at codingPath: [any CodingKey], in json: Data) -> String? {
        guard var node = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) else {
            return nil
        }
        for key in codingPath {
            if let index = key.intValue, let array = node as? [Any], array.indices.contains(index) {
                node = array[index]
            } else if let object = node as? [String: Any], let child = object[key.stringValue] {
                node = child
            } else {
                return nil
            }
        }
        switch node {
        case is NSNull: return "null"
        case let text as String: return "the string \"" + oneLine(String(text.prefix(80))) + "\""
        case let array as [Any]: return "an array of \(array.count) elements"
        case is [String: Any]: return "an object"
        case let number as NSNumber:
            // JSON's true and false arrive as NSNumbers of C type char.
            if String(cString: number.objCType) == "c" { return number.boolValue ? "true" : "false" }
            return "the number " + number.stringValue
        default: return nil
        }
    }

    /// `a.b[3].c`, or `<root>`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "<root>" : text
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }.prefix(200))
    }
}
