import Foundation

/// A reader of the block YAML the manifests are written in, kept apart from the writer so that a test
/// reads them as a YAML reader would: comment and blank lines, `key: value` and `key:` with a deeper
/// block below, `- item` sequences (a mapping item starting on the dash's line), double-quoted strings
/// with YAML's escapes, integers, booleans, `{}` and `[]`. Anything else (tabs, flow collections, plain
/// strings, anchors, a key twice) is an error with its line number.
enum YAMLSubset {
    indirect enum Value: Equatable {
        case string(String), int(Int), bool(Bool), mapping([String: Value]), sequence([Value])

        subscript(key: String) -> Value? {
            if case .mapping(let pairs) = self { return pairs[key] }
            return nil
        }
        subscript(index: Int) -> Value? {
            if case .sequence(let items) = self, items.indices.contains(index) { return items[index] }
            return nil
        }
        var string: String? { if case .string(let text) = self { text } else { nil } }
        var int: Int? { if case .int(let value) = self { value } else { nil } }
        var items: [Value] { if case .sequence(let items) = self { items } else { [] } }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// One content line: its indentation, its text, its 1-based number.
    typealias Line = (indent: Int, text: Substring, number: Int)

    static func parse(_ document: String) throws -> Value {
        var lines: [Line] = []
        for (offset, raw) in document.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if raw.contains("\t") { throw Failure(description: "line \(offset + 1): a tab") }
            let text = raw.drop { $0 == " " }
            if text.isEmpty || text.hasPrefix("#") { continue }
            lines.append((raw.count - text.count, text, offset + 1))
        }
        var position = 0
        let value = try block(lines, &position, indent: lines.first?.indent ?? 0)
        if position < lines.count {
            throw Failure(description: "line \(lines[position].number): unexpected indentation")
        }
        return value
    }

    /// The mapping or sequence whose lines start at `indent`.
    static func block(_ lines: [Line], _ position: inout Int, indent: Int) throws -> Value {
        guard position < lines.count, lines[position].indent == indent else {
            throw Failure(description: "line \(position < lines.count ? lines[position].number : 0): expected a block")
        }
        if lines[position].text.hasPrefix("- ") {
            var items: [Value] = []
            while position < lines.count, lines[position].indent == indent, lines[position].text.hasPrefix("- ") {
                let (rest, number) = (lines[position].text.dropFirst(2), lines[position].number)
                if (try? key(rest, number)) == nil {
                    items.append(try scalar(rest, number))
                    position += 1
                } else {
                    // A mapping item: its first key sits after the dash, two columns in.
                    var shifted = lines
                    shifted[position] = (indent + 2, rest, number)
                    items.append(try mapping(shifted, &position, indent: indent + 2))
                }
            }
            return .sequence(items)
        }
        return try mapping(lines, &position, indent: indent)
    }

    static func mapping(_ lines: [Line], _ position: inout Int, indent: Int) throws -> Value {
        var pairs: [String: Value] = [:]
        while position < lines.count, lines[position].indent == indent, !lines[position].text.hasPrefix("- ") {
            let (text, number) = (lines[position].text, lines[position].number)
            let (key, rest) = try Self.key(text, number)
            if pairs[key] != nil { throw Failure(description: "line \(number): key \(key) twice") }
            position += 1
            if rest.isEmpty {
                guard position < lines.count,
                    lines[position].indent > indent
                        || (lines[position].indent == indent && lines[position].text.hasPrefix("- "))
                else { throw Failure(description: "line \(number): \(key) has no value") }
                pairs[key] = try block(lines, &position, indent: lines[position].indent)
            } else {
                pairs[key] = try scalar(rest, number)
            }
        }
        return .mapping(pairs)
    }

    /// `key:` and what follows it on the line.
    static func key(_ text: Substring, _ number: Int) throws -> (String, Substring) {
        if text.hasPrefix("\"") {
            let (key, end) = try quoted(text, number)
            guard text[end...].hasPrefix(":") else { throw Failure(description: "line \(number): no ':' after key") }
            return (key, text[text.index(after: end)...].drop { $0 == " " })
        }
        guard let colon = text.firstIndex(of: ":"),
            text[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "._/-".contains($0) })
        else { throw Failure(description: "line \(number): not a key: \(text)") }
        let rest = text[text.index(after: colon)...]
        guard rest.isEmpty || rest.hasPrefix(" ") else {
            throw Failure(description: "line \(number): no space after ':'")
        }
        return (String(text[..<colon]), rest.drop { $0 == " " })
    }

    static func scalar(_ text: Substring, _ number: Int) throws -> Value {
        if text.hasPrefix("\"") {
            let (value, end) = try quoted(text, number)
            guard end == text.endIndex else { throw Failure(description: "line \(number): text after a string") }
            return .string(value)
        }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "{}": return .mapping([:])
        case "[]": return .sequence([])
        default:
            guard let value = Int(text) else {
                throw Failure(description: "line \(number): not a scalar of the subset: \(text)")
            }
            return .int(value)
        }
    }

    /// A double-quoted string from the start of `text`, and where it ends.
    static func quoted(_ text: Substring, _ number: Int) throws -> (String, Substring.Index) {
        var result = String.UnicodeScalarView(), index = text.unicodeScalars.index(after: text.startIndex)
        let scalars = text.unicodeScalars
        func fail(_ why: String) -> Failure { Failure(description: "line \(number): \(why)") }
        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            switch scalar {
            case "\"": return (String(result), index)
            case "\\":
                guard index < scalars.endIndex else { throw fail("a string ends in \\") }
                let escape = scalars[index]
                index = scalars.index(after: index)
                let simple: [Unicode.Scalar: Unicode.Scalar] = [
                    "\"": "\"", "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0",
                ]
                if let plain = simple[escape] {
                    result.append(plain)
                    continue
                }
                let digits = ["x": 2, "u": 4, "U": 8][String(escape)]
                guard let digits, scalars.distance(from: index, to: scalars.endIndex) >= digits else {
                    throw fail("unknown escape \\\(escape)")
                }
                let end = scalars.index(index, offsetBy: digits)
                guard let value = UInt32(String(scalars[index..<end]), radix: 16), let decoded = Unicode.Scalar(value)
                else { throw fail("bad escape") }
                result.append(decoded)
                index = end
            default:
                guard scalar.value >= 0x20, scalar.value != 0x7F else { throw fail("a raw control character") }
                result.append(scalar)
            }
        }
        throw fail("an unterminated string")
    }
}
