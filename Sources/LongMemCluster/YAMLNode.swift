/// The YAML of the Kubernetes manifests: block mappings and sequences, and every string double-quoted and
/// escaped, so that no value can turn into a number, a boolean, a comment or a new key whatever it holds.
public indirect enum YAMLNode: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    /// Keys in the order given.
    case mapping([(String, YAMLNode)])
    case sequence([YAMLNode])

    /// The document text, ending in a newline.
    public var document: String { lines(indent: 0).joined(separator: "\n") + "\n" }

    /// Lines at `indent` spaces: a mapping's `key: scalar`, or `key:` with its value indented below; a
    /// sequence's items after `- `, a mapping item's first key on the dash's line.
    func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .mapping(let pairs) where !pairs.isEmpty:
            return pairs.flatMap { key, value in
                let name = pad + Self.key(key) + ":"
                return value.isBlock ? [name] + value.lines(indent: indent + 2) : [name + " " + value.inline]
            }
        case .sequence(let items) where !items.isEmpty:
            return items.flatMap { item in
                guard item.isBlock else { return [pad + "- " + item.inline] }
                var lines = item.lines(indent: indent + 2)
                lines[0] = pad + "- " + lines[0].dropFirst(indent + 2)
                return lines
            }
        default:
            return [pad + inline]
        }
    }

    /// A non-empty mapping or sequence: written over lines of its own.
    var isBlock: Bool {
        switch self {
        case .mapping(let pairs): !pairs.isEmpty
        case .sequence(let items): !items.isEmpty
        default: false
        }
    }

    /// A scalar, or an empty mapping or sequence, on one line.
    var inline: String {
        switch self {
        case .string(let text): Self.quoted(text)
        case .int(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .mapping: "{}"
        case .sequence: "[]"
        }
    }

    /// Keys are this target's own names: bare when plain, else quoted.
    static func key(_ name: String) -> String {
        let plain =
            !name.isEmpty && name.first!.isLetter
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/-".contains($0)) }
        return plain ? name : quoted(name)
    }

    /// A double-quoted scalar: `"` and `\` escaped, and every character YAML does not allow printed
    /// (controls, DEL, C1 controls, the byte-order mark, non-characters) as an escape.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: result += "\\\""
            case 0x5C: result += "\\\\"
            case 0x0A: result += "\\n"
            case 0x09: result += "\\t"
            case 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFEFE, 0xFF00...0xFFFD, 0x10000...0x10FFFF:
                result.unicodeScalars.append(scalar)
            default:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result +=
                    scalar.value <= 0xFFFF
                    ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    : "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
            }
        }
        return result + "\""
    }
}
