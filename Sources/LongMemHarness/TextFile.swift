import Foundation
import LongMemTensor

/// Reads text inputs: UTF-8 only (a bad byte is reported with its offset), never empty. A leading
/// byte-order mark is dropped: it marks the encoding and is not text (the GPT-2 token counts of the
/// shared Project Gutenberg files are counted without it).
public enum TextFile {
    /// The file's text; `normalizeNewlines` turns CRLF and lone CR into LF.
    public static func read(_ path: String, normalizeNewlines: Bool = false) throws -> String {
        let data: Data
        do { data = try RegularFile.read(path) } catch {
            if case .fileNotFound = error { throw HarnessError.fileNotFound(path: path) }
            throw HarnessError.unreadable(path: path, reason: error.problem)
        }
        guard var text = String(validating: data, as: UTF8.self) else {
            throw HarnessError.notUTF8(path: path, offset: firstInvalidUTF8Offset(data))
        }
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        guard !text.isEmpty else { throw HarnessError.emptyText(path: path) }
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
