// tokenizer: the tokenizer file readers. The first byte picks the reader ('0' to '2', mod 3), the rest is the file:
//   0: tokenizer.json (BytePairTokenizer.load(tokenizerJSONFile:))
//   1: vocab.json, a NUL byte, merges.txt (BytePairTokenizer.load(vocabularyFile:mergesFile:))
//   2: fairseq dict.txt (FairseqDictionary(contentsOfFile:))
// A tokenizer that loads then encodes and decodes a short text, as the harness would.
import Foundation
import LongMemTokenizer

let sampleText = "Hello, world! It's 2024 <|endoftext|> caf\u{00E9} \u{4E2D}\u{6587}\n\n\t  x  \u{1F600}"

func exercise(_ tokenizer: BytePairTokenizer) {
    for allowed in [false, true] {
        let ids = tokenizer.encode(sampleText, allowedSpecial: allowed)
        _ = tokenizer.decode(ids)
    }
    let size = tokenizer.vocabularySize
    _ = tokenizer.decode([0, 1, size - 1, size, -1, Int.max])
    _ = (tokenizer.token(forID: size - 1), tokenizer.token(forID: -1), tokenizer.token(forID: size))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = fuzzBytes(data, size)
    let body = UnsafeRawBufferPointer(rebasing: bytes[1...])
    switch FuzzInput.selector(bytes[0], count: 3) {
    case 0:
        let path = FuzzInput.write(body, to: "tokenizer.json")
        if let tokenizer = try? BytePairTokenizer.load(tokenizerJSONFile: path) { exercise(tokenizer) }
    case 1:
        let (vocabulary, merges) = FuzzInput.split(body)
        let vocabularyPath = FuzzInput.write(vocabulary, to: "vocab.json")
        let mergesPath = FuzzInput.write(merges, to: "merges.txt")
        if let tokenizer = try? BytePairTokenizer.load(vocabularyFile: vocabularyPath, mergesFile: mergesPath) {
            exercise(tokenizer)
        }
    default:
        let path = FuzzInput.write(body, to: "dict.txt")
        if let dictionary = try? FairseqDictionary(contentsOfFile: path) {
            for id in [-1, 0, 1, 2, 3, 50_256, Int.max] { _ = dictionary.index(forGPT2ID: id) }
            for index in [-1, 0, 3, 4, dictionary.count - 1, dictionary.count] {
                _ = dictionary.gpt2ID(forIndex: index)
            }
            _ = dictionary.index(forSymbol: "13")
        }
    }
    return 0
}
