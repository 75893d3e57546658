/// Turns a `DecodingError` into a short one-line phrase with the JSON path at fault
/// (`model.merges[3]`), for `TokenizerError` messages.
enum DecodingErrorSummary {
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            return "wrong type at '\(path(context.codingPath))': expected \(type)"
        case .valueNotFound(let type, let context):
            return "null at '\(path(context.codingPath))': expected \(type)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "bad value at '\(path(context.codingPath))': \(oneLine(context.debugDescription))"
        @unknown default:
            return oneLine(String(describing: error))
        }
    }

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
