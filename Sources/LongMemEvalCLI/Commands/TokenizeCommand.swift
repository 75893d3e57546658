import ArgumentParser
import Foundation
import LongMemHarness
import LongMemTokenizer

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text as a JSON array.",
        discussion: "The tokenizer folder holds tokenizer.json, vocab.json + merges.txt, or encoder.json + vocab.bpe."
    )

    @Option(name: .long, help: "Tokenizer folder.")
    var tokenizer: String

    @Option(name: .long, help: "Text to tokenize.")
    var text: String?

    @Option(name: .long, help: "UTF-8 text file to tokenize.")
    var file: String?

    func validate() throws {
        guard (text == nil) != (file == nil) else { throw ValidationError("give exactly one of --text or --file") }
    }

    func run() throws {
        let tokenizer = try BytePairTokenizer.load(directory: self.tokenizer)
        let input = try text ?? TextFile.read(file!)
        let ids = tokenizer.encode(input)
        print("[" + ids.map(String.init).joined(separator: ",") + "]")
    }
}
