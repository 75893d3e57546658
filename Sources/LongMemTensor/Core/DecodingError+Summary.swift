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
