import Foundation
import LongMemTokenizer
import Testing

/// Encoding a 418 KB novel must stay far below a second in release builds (about 25 ms on the
/// 2-core reference machine with a cold cache); debug builds get a loose bound so the suite stays fast.
@Suite("Encoding speed")
struct EncodingSpeedTests {
    #if DEBUG
        static let limit = Duration.seconds(10)
    #else
        static let limit = Duration.seconds(1)
    #endif

    @Test("pg69087.txt (125,097 tokens) encodes within the limit with a cold cache")
    func novel() throws {
        let path = TestPaths.longtextDirectory.appendingPathComponent("pg22_like/pg69087.txt").path
        try #require(
            FileManager.default.fileExists(atPath: path), Comment(rawValue: TestPaths.missingDataMessage(path)))
        let tokenizer = try BytePairTokenizer.load(
            vocabularyFile: TestPaths.encoderJSON, mergesFile: TestPaths.vocabBPE)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var ids: [Int] = []
        let elapsed = ContinuousClock().measure { ids = tokenizer.encode(text) }
        #expect(ids.count == 125_097)
        #expect(elapsed < Self.limit, "encoding took \(elapsed)")
    }
}
