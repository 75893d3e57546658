import Foundation
import LongMemTestSupport
import Testing

@Suite("tokenize, logprobs and bench from the command line")
struct FoundationCommandTests {
    let bpe = FixturePaths.dataset("gpt2_bpe")
    let model = GPT2Fixture.directory

    func temporaryFile(_ contents: Data, name: String = "input.txt") throws -> String {
        let directory = FixturePaths.temporaryDirectory()
        let path = directory + "/" + name
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("tokenize prints the ids as a JSON array")
    func tokenize() throws {
        let outcome = try CommandLineRunner.run(["tokenize", "--tokenizer", bpe, "--text", "Hello world!"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == "[15496,995,0]\n")
    }

    @Test("logprobs writes one line per token and a summary that match transformers")
    func logprobs() throws {
        let fixture = try GPT2Fixture.load()
        let document = fixture.documents[1]
        let input = try temporaryFile(Data(document.text.utf8))
        let output = (input as NSString).deletingLastPathComponent + "/scores.jsonl"
        let outcome = try CommandLineRunner.run([
            "logprobs", "--model", model, "--tokenizer", bpe, "--file", input, "--window", "16", "--output", output,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == document.ids.count + 1)
        let expected = try #require(document.windows["16"])
        for (line, reference) in zip(lines, expected) {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let reference {
                #expect(abs((object["logprob"] as? Double ?? .nan) - reference) < 1e-4)
            } else {
                #expect(object["logprob"] is NSNull)
            }
        }
        let summary = try #require(JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        let nll = -expected.compactMap { $0 }.reduce(0, +)
        #expect(abs((summary["total_nll"] as? Double ?? 0) - nll) / nll < 1e-4)
        #expect(summary["scored_tokens"] as? Int == expected.compactMap { $0 }.count)
        let perplexity = exp(nll / Double(expected.compactMap { $0 }.count))
        #expect(abs((summary["perplexity"] as? Double ?? 0) - perplexity) / perplexity < 1e-4)
    }

    @Test("bench reports prefill and decode speed as JSON")
    func bench() throws {
        let outcome = try CommandLineRunner.run([
            "bench", "--model", model, "--tokens", "32", "--decode-tokens", "4", "--repetitions", "1", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect((object["prefill_tokens_per_second"] as? Double ?? 0) > 0)
        #expect((object["decode_ms_per_token"] as? Double ?? 0) > 0)
        #expect(object["prefill_tokens"] as? Int == 32)
    }
}

@Suite("Bad input on the command line: one line naming the file and the problem, non-zero exit")
struct CommandLineErrorTests {
    let bpe = FixturePaths.dataset("gpt2_bpe")
    let model = GPT2Fixture.directory

    func failure(_ arguments: [String]) throws -> String {
        let outcome = try CommandLineRunner.run(arguments)
        #expect(outcome.status != 0)
        #expect(!outcome.standardError.contains("Fatal error"), "crashed: \(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty)
        return outcome.standardError
    }

    func file(_ bytes: [UInt8]) throws -> String {
        let path = FixturePaths.temporaryDirectory() + "/input.txt"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a missing model folder")
    func missingModel() throws {
        let message = try failure(["logprobs", "--model", "/nonexistent/model", "--file", try file(Array("hi".utf8))])
        #expect(message.contains("/nonexistent/model: model folder not found"), "\(message)")
    }

    @Test("a text file that is not UTF-8")
    func notUTF8() throws {
        let path = try file(Array("caf".utf8) + [0xE9, 0x20, 0x6F, 0x6B])
        let message = try failure(["logprobs", "--model", model, "--tokenizer", bpe, "--file", path])
        #expect(message.contains("\(path): not valid UTF-8 (first bad byte at offset 3)"), "\(message)")
    }

    @Test("an empty text file")
    func emptyText() throws {
        let path = try file([])
        let message = try failure(["logprobs", "--model", model, "--tokenizer", bpe, "--file", path])
        #expect(message.contains("\(path): empty text, nothing to score"), "\(message)")
    }

    @Test("a window larger than n_positions, and one too short to score anything")
    func windowOutOfRange() throws {
        let path = try file(Array("Some text to score.".utf8))
        let message = try failure(["logprobs", "--model", model, "--tokenizer", bpe, "--file", path, "--window", "65"])
        #expect(
            message.contains("--window 65 is outside 1...64 (n_positions)"),
            "\(message)")
        let short = try failure(["logprobs", "--model", model, "--tokenizer", bpe, "--file", path, "--window", "1"])
        #expect(short.contains("--window: a window of 1 token scores nothing; use at least 2"), "\(short)")
    }

    @Test("a missing text file and a missing tokenizer")
    func missingFiles() throws {
        let message = try failure(["tokenize", "--tokenizer", bpe, "--file", "/nonexistent/input.txt"])
        #expect(message.contains("/nonexistent/input.txt: file not found"), "\(message)")
        let tokenizer = try failure(["tokenize", "--tokenizer", "/nonexistent/bpe", "--text", "x"])
        #expect(tokenizer.contains("/nonexistent/bpe"), "\(tokenizer)")
    }

    @Test("contradictory or invalid options")
    func options() throws {
        #expect(try failure(["tokenize", "--tokenizer", bpe]).contains("give exactly one of --text or --file"))
        #expect(
            try failure(["bench", "--model", model, "--threads", "0"]).contains("--threads must be in 1...1024, got 0"))
        #expect(
            try failure(["bench", "--model", model, "--tokens", "100"]).contains("exceeds the model's 64 positions"))
    }
}
