import Foundation

/// Reads text inputs: UTF-8 only (a bad byte is reported with its offset), never empty. A leading
/// byte-order mark is dropped: it marks the encoding and is not text (the GPT-2 token counts of the
/// shared Project Gutenberg files are counted without it).
public enum TextFile {
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notFound(path: String)
        case unreadable(path: String, reason: String)
        case notUTF8(path: String, offset: Int)
        case empty(path: String)

        public var description: String {
            switch self {
            case .notFound(let path): return "\(path): file not found"
            case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
            case .notUTF8(let path, let offset): return "\(path): not valid UTF-8 (first bad byte at offset \(offset))"
            case .empty(let path): return "\(path): empty text, nothing to score"
            }
        }
    }

    /// The file's text; `normalizeNewlines` turns CRLF and lone CR into LF.
    public static func read(_ path: String, normalizeNewlines: Bool = false) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.notFound(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Failure.unreadable(path: path, reason: error.localizedDescription)
        }
        guard var text = String(validating: data, as: UTF8.self) else {
            throw Failure.notUTF8(path: path, offset: firstInvalidUTF8Offset(data))
        }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        guard !text.isEmpty else { throw Failure.empty(path: path) }
        return normalizeNewlines
            ? text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n") : text
    }

    /// Offset of the first byte that does not start or continue a well-formed UTF-8 sequence
    /// (lead-byte ranges and continuation bytes; used only to point at the problem).
    static func firstInvalidUTF8Offset(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00..<0x80: length = 1
            case 0xC2..<0xE0: length = 2
            case 0xE0..<0xF0: length = 3
            case 0xF0..<0xF5: length = 4
            default: return index
            }
            guard index + length <= bytes.count,
                bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 })
            else { return index }
            index += length
        }
        return index
    }
}
