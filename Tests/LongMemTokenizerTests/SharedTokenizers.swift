import Foundation
import LongMemTokenizer
import Testing

/// The GPT-2 tokenizer from the shared `encoder.json` + `vocab.bpe`, loaded once for all tests
/// (loading parses a 1 MB JSON file; the debug build would spend seconds doing it per test).
private let sharedGPT2: Result<BytePairTokenizer, any Error> = Result {
    try BytePairTokenizer.load(vocabularyFile: TestPaths.encoderJSON, mergesFile: TestPaths.vocabBPE)
}

/// The shared GPT-2 tokenizer, or a test failure that says which data file is missing.
func gpt2Tokenizer(sourceLocation: SourceLocation = #_sourceLocation) throws -> BytePairTokenizer {
    try #require(
        FileManager.default.fileExists(atPath: TestPaths.encoderJSON),
        Comment(rawValue: TestPaths.missingDataMessage(TestPaths.encoderJSON)), sourceLocation: sourceLocation)
    return try sharedGPT2.get()
}

/// The shared fairseq `dict.txt`, parsed once.
private let sharedDictionary: Result<FairseqDictionary, any Error> = Result {
    try FairseqDictionary(contentsOfFile: TestPaths.dictTXT)
}

/// The shared fairseq dictionary, or a test failure that says the data file is missing.
func fairseqDictionary(sourceLocation: SourceLocation = #_sourceLocation) throws -> FairseqDictionary {
    try #require(
        FileManager.default.fileExists(atPath: TestPaths.dictTXT),
        Comment(rawValue: TestPaths.missingDataMessage(TestPaths.dictTXT)), sourceLocation: sourceLocation)
    return try sharedDictionary.get()
}

/// A fresh temporary directory, removed by the caller with `removeTemporaryDirectory`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("longmem-tokenizer-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func removeTemporaryDirectory(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}

/// Exact equality of two strings' scalars. `==` on `String` compares canonical equivalence, which
/// would call `"e\u{301}"` equal to `"é"`; a tokenizer round trip must give back the same scalars.
func sameScalars(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
