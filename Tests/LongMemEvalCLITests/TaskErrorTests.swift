import Foundation
import LongMemTestSupport
import Testing

@Suite("Task bad input: a one-line error naming the file, line or option, non-zero exit")
struct TaskErrorTests {
    func failure(_ arguments: [String]) throws -> String {
        let outcome = try CommandLineRunner.run(arguments + ["--data-dir", FixturePaths.datasets, "--quiet"])
        #expect(outcome.status != 0, "\(arguments) succeeded")
        #expect(!outcome.standardError.contains("Fatal error"), "crashed: \(outcome.standardError)")
        return outcome.standardError
    }

    let iclCommand = [
        "icl", "--model", Runs.textModel, "--tokenizer", Runs.bpe, "--output", FixturePaths.temporaryDirectory(),
    ]

    @Test("unknown task, more shots than the pool, seeds out of range")
    func icl() throws {
        #expect(try failure(iclCommand + ["--tasks", "sst2,boolq"]).contains("unknown task 'boolq'"))
        #expect(
            try failure(iclCommand + ["--tasks", "sst2", "--shots", "7000"]).contains(
                "--shots: 7000 is more than icl_sst2's 6920 training examples"))
        #expect(
            try failure(iclCommand + ["--tasks", "sst2", "--seeds=-3"]).contains(
                "--seeds -3: expected non-negative integers"))
        #expect(try failure(iclCommand + ["--tasks", "sst2", "--seeds", "6-1"]).contains("--seeds 6-1"))
        #expect(
            try failure(iclCommand + ["--tasks", "sst2", "--subsample", "900"]).contains(
                "--subsample: 900 is more than icl_sst2's 872 evaluation examples"))
        #expect(
            try failure(iclCommand + ["--tasks", "sst2", "--subsample", "9", "--limit", "3"]).contains(
                "--subsample: cannot be combined with a limit"))
        #expect(
            try failure(iclCommand + ["--tasks", "sst2", "--method", "memtrm", "--chunk-size", "0"]).contains(
                "--chunk-size: must be positive (got 0)"))
    }

    @Test("a missing dataset file names the path")
    func missingData() throws {
        let outcome = try CommandLineRunner.run(iclCommand + ["--tasks", "mr", "--data-dir", "/nonexistent/data"])
        #expect(outcome.status != 0)
        #expect(
            outcome.standardError.contains("/nonexistent/data/icl/mr/train.csv: dataset file not found"),
            "\(outcome.standardError)")
    }

    @Test("unknown ChapterBreak split, a malformed file, an entry without five negatives")
    func chapterBreak() throws {
        let directory = FixturePaths.temporaryDirectory()
        let base = ["chapterbreak", "--model", Runs.textModel, "--tokenizer", Runs.bpe, "--output", directory + "/run"]
        #expect(try failure(base + ["--split", "wiki"]).contains("--split wiki"))
        let broken = directory + "/broken.json"
        try "{\"pg19\": {\"w\": [{\"ctx\": \"a\"".write(toFile: broken, atomically: true, encoding: .utf8)
        #expect(try failure(base + ["--file", broken, "--split", "pg19"]).contains(broken))
        let four = directory + "/four.json"
        try #"{"pg19": {"w": [{"ctx": "a", "pos": "b", "negs": ["c", "d", "e", "f"]}]}, "ao3": {}}"#
            .write(toFile: four, atomically: true, encoding: .utf8)
        let message = try failure(base + ["--file", four, "--split", "pg19"])
        #expect(message.contains(four) && message.contains("4"), "\(message)")
    }

    @Test("perplexity of an empty document, an unknown dataset and a missing file")
    func perplexity() throws {
        let directory = FixturePaths.temporaryDirectory()
        let empty = directory + "/empty.txt"
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        let base = ["ppl", "--model", Runs.textModel, "--tokenizer", Runs.bpe, "--output", directory + "/run"]
        #expect(try failure(base + ["--files", empty]).contains("\(empty): empty text"))
        #expect(try failure(base + ["--dataset", "wikitext"]).contains("unknown task 'wikitext'"))
        let file = FixturePaths.dataset("longtext/pg22_like/pg65246.txt")
        let ivf = base + ["--files", file, "--method", "memtrm", "--memory-size", "8192", "--memory-index", "ivf"]
        #expect(
            try failure(ivf + ["--ivf-lists", "100"]).contains(
                "--ivf-lists: 100 lists train on 3900 chunks but the memory holds only 2048"))
        #expect(
            try failure(ivf + ["--ivf-lists", "16", "--ivf-probes", "17"]).contains(
                "--ivf-probes: must be in 1...lists (got 17 probes of 16 lists)"))
        #expect(
            try failure(base + ["--files", directory + "/nope.txt"]).contains(
                "\(directory)/nope.txt: dataset file not found"))
    }
}
