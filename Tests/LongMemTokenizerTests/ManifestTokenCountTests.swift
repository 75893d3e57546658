import Foundation
import LongMemTokenizer
import Testing

/// The GPT-2 token count of every long-text file equals the count recorded in
/// `longtext/manifest.tsv` (`gpt2_tokens_file`: the whole file after CRLF -> LF).
@Suite("Long-text manifest token counts")
struct ManifestTokenCountTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let file: String
        let tokens: Int
        var testDescription: String { file }
    }

    static let manifestPath = TestPaths.longtextDirectory.appendingPathComponent("manifest.tsv").path

    /// The manifest rows, or an error naming what is missing or malformed.
    static func rows() throws -> [Row] {
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw ManifestError(message: TestPaths.missingDataMessage(manifestPath))
        }
        let lines = try String(contentsOfFile: manifestPath, encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        guard let header = lines.first,
            let fileColumn = header.firstIndex(of: "file"),
            let tokensColumn = header.firstIndex(of: "gpt2_tokens_file")
        else { throw ManifestError(message: "\(manifestPath): no 'file' / 'gpt2_tokens_file' header columns") }
        return try lines.dropFirst().enumerated().map { offset, fields in
            guard fields.count == header.count, let tokens = Int(fields[tokensColumn]) else {
                throw ManifestError(message: "\(manifestPath):\(offset + 2): malformed row")
            }
            return Row(file: String(fields[fileColumn]), tokens: tokens)
        }
    }

    struct ManifestError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The file's text as the manifest's counts were made: CRLF turned into LF, and a leading UTF-8
    /// byte order mark dropped. (The 8 CRLF files start with a BOM; the manifest was made from text
    /// read as Python's `utf-8-sig`, and counting the BOM adds 3 tokens.)
    static func normalisedText(of file: String) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: TestPaths.longtextDirectory.appendingPathComponent(file)))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var normalised = [UInt8]()
        normalised.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated()
        where !(byte == UInt8(ascii: "\r") && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) {
            normalised.append(byte)
        }
        return String(decoding: normalised, as: UTF8.self)
    }

    @Test("the manifest is present and lists files")
    func manifestPresent() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 20, "expected the 21+ long-text rows, found \(rows.count)")
    }

    @Test("encoded token count equals gpt2_tokens_file", arguments: (try? ManifestTokenCountTests.rows()) ?? [])
    func tokenCount(_ row: Row) throws {
        let tokenizer = try gpt2Tokenizer()
        let text = try Self.normalisedText(of: row.file)
        let ids = tokenizer.encode(text)
        #expect(ids.count == row.tokens, "\(row.file)")
        #expect(sameScalars(tokenizer.decode(ids), text), "\(row.file) round trip")
    }
}
