import Foundation
import LongMemTestSupport
import LongMemTokenizer
import Testing

/// Hostile tokenizer files (issue 12): an id that would size a gigabyte table, a FIFO and a folder where a
/// tokenizer file belongs.
@Suite("Hostile input: tokenizer files")
struct HostileTokenizerInputTests {
    @Test("a dict.txt GPT-2 id beyond the token id limit is refused, naming the line", .timeLimit(.minutes(1)))
    func dictionaryID() {
        #expect(
            throws: TokenizerError.malformedDictionaryLine(
                path: "dict.txt", line: 2, detail: "GPT-2 id 999999999 is outside 0..<16777216")
        ) { try FairseqDictionary(parsing: "13 5\n999999999 1\n", path: "dict.txt") }
    }

    @Test("a FIFO and a folder where vocab.json belongs fail promptly", .timeLimit(.minutes(1)))
    func fifoAndFolder() throws {
        let directory = FixturePaths.temporaryDirectory("hostile-tokenizer")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vocabulary = try HostileFiles.fifo(at: directory + "/vocab.json")
        try "#version: 0.2\n".write(toFile: directory + "/merges.txt", atomically: true, encoding: .utf8)
        #expect(
            throws: TokenizerError.unreadable(path: vocabulary, reason: "is a FIFO (named pipe), not a regular file")
        ) { try BytePairTokenizer.load(directory: directory) }
        try FileManager.default.removeItem(atPath: vocabulary)
        try HostileFiles.folder(at: directory + "/dict.txt")
        #expect(
            throws: TokenizerError.unreadable(
                path: directory + "/dict.txt", reason: "is a directory, not a regular file")
        ) { try FairseqDictionary(contentsOfFile: directory + "/dict.txt") }
    }
}
