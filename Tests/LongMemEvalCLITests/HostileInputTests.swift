import Foundation
import LongMemTestSupport
import Testing

/// Issue 12, end to end: hostile options and files never crash, hang or pass silently. Each command must end
/// promptly with a non-zero exit, no "Fatal error" (a trap) in its stderr, and a message naming the option or
/// file and the problem. Hostile files are made in a temporary folder by each test.
@Suite("Hostile input: the command line")
final class HostileInputTests {
    let textModel = Runs.textModel
    let bpe = Runs.bpe
    let scratch = FixturePaths.temporaryDirectory("hostile-cli")

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// Runs a command that must fail; returns its stderr.
    func failure(_ arguments: [String]) throws -> String {
        let outcome = try CommandLineRunner.run(
            arguments + ["--data-dir", FixturePaths.datasets, "--quiet"], deadline: 40)
        #expect(!outcome.timedOut, "\(arguments.prefix(2)) hung")
        #expect(outcome.status != 0, "\(arguments.prefix(2)) succeeded")
        #expect(!outcome.standardError.contains("Fatal error"), "crashed: \(outcome.standardError)")
        return outcome.standardError
    }

    /// `failure(arguments)` contains `expected`.
    func expectFailure(
        _ arguments: [String], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let message = try failure(arguments)
        #expect(message.contains(expected), "\(message)", sourceLocation: sourceLocation)
    }

    func ppl(_ model: String, _ extra: [String]) -> [String] {
        ["ppl", "--model", model, "--tokenizer", bpe, "--output", scratch + "/run-\(UUID().uuidString)"] + extra
    }

    func text() throws -> String {
        let path = scratch + "/text.txt"
        try "A small text to score, with a few words in it.".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--seeds 0-9999999999 is refused before the range is made", .timeLimit(.minutes(1)))
    func seeds() throws {
        try expectFailure(
            [
                "icl", "--model", textModel, "--tokenizer", bpe, "--tasks", "sst2", "--seeds", "0-9999999999",
                "--output", scratch + "/run",
            ], "--seeds 0-9999999999: more than the 1000 seeds a run may have")
    }

    @Test("memory sizes and IVF list counts in the billions", .timeLimit(.minutes(1)))
    func memory() throws {
        let file = try text()
        try expectFailure(
            ppl(textModel, ["--files", file, "--method", "memtrm", "--memory-size", "4000000000"]),
            "--memory-size: 4000000000 is more than the 16777216 tokens a memory may hold")
        try expectFailure(
            ppl(textModel, ["--files", file, "--method", "memtrm", "--memory-index", "ivf", "--ivf-lists", "3e18"]),
            "--ivf-lists")
        try expectFailure(
            ppl(
                textModel,
                ["--files", file, "--method", "memtrm", "--memory-index", "ivf", "--ivf-lists", "3000000000000000000"]),
            "--ivf-lists: 3000000000000000000 lists train on more than 9223372036854775807 chunks")
        let bench = try CommandLineRunner.run(
            ["bench", "memory", "--memory-size", "4000000000", "--segment", "1024"], deadline: 40)
        #expect(bench.status != 0 && !bench.standardError.contains("Fatal error"), "\(bench.standardError)")
        #expect(bench.standardError.contains("--memory-size must be at most"), "\(bench.standardError)")
    }

    @Test("InfLLM settings out of range name their option", .timeLimit(.minutes(1)))
    func infllm() throws {
        let file = try text()
        let base = ["--files", file, "--method", "infllm", "--window", "64"]
        for (options, expected) in [
            (["--block-size", "0"], "--block-size: 0 is outside 1...64 (the local window)"),
            (["--block-size", "65"], "--block-size: 65 is outside 1...64 (the local window)"),
            (["--exc-block-size", "65"], "--exc-block-size: 65 is outside 1...64 (the local window)"),
            (["--topk", "0"], "--topk: 0 must be at least 1 unit"),
            (["--n-init=-1"], "--n-init: -1 must not be negative"),
            (["--repr-topk", "9", "--block-size", "8"], "--repr-topk: 9 is outside 1...8 (the block size)"),
        ] {
            try expectFailure(ppl(textModel, base + options), expected)
        }
    }

    @Test("absurd --window and --threads", .timeLimit(.minutes(1)))
    func windowAndThreads() throws {
        let file = try text()
        try expectFailure(
            ppl(textModel, ["--files", file, "--window", "99999999999"]),
            "--window must be in 1...1048576, got 99999999999")
        try expectFailure(
            ppl(textModel, ["--files", file, "--window", "2000"]), "--window 2000 is outside 1...1024 (n_positions)")
        try expectFailure(
            ppl(textModel, ["--files", file, "--threads", "99999999999"]),
            "--threads must be in 1...1024, got 99999999999")
    }

    @Test("a safetensors shape that overflows and a GGUF context length of 4 billion", .timeLimit(.minutes(1)))
    func modelSizes() throws {
        let file = try text()
        let overflow = try HostileFiles.folder(at: scratch + "/overflow")
        try FileManager.default.copyItem(
            atPath: GPT2Fixture.directory + "/config.json", toPath: overflow + "/config.json")
        let header =
            #"{"wte.weight": {"dtype": "F32", "shape": [4611686018427387904, 4611686018427387904, 0], "#
            + #""data_offsets": [0, 0]}}"#
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header.utf8)
        try bytes.write(to: URL(fileURLWithPath: overflow + "/model.safetensors"))
        try expectFailure(ppl(overflow, ["--files", file]), "whose byte count overflows 64 bits")

        // The committed tiny GGUF with its u32 llama.context_length patched to 4,294,967,295.
        var gguf = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("llama-tiny/gguf/tiny.gguf")))
        let key = Data("llama.context_length".utf8)
        let at = try #require(gguf.range(of: key)).upperBound
        #expect(gguf[at] == 4, "the value type that follows the key is GGUF's UINT32")
        gguf.replaceSubrange((at + 4)..<(at + 8), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let folder = try HostileFiles.folder(at: scratch + "/gguf")
        try gguf.write(to: URL(fileURLWithPath: folder + "/model.gguf"))
        try expectFailure(
            ["ppl", "--model", folder, "--files", file, "--output", scratch + "/gguf-run"],
            "\(folder)/model.gguf: invalid configuration: llama.context_length must be in 1...1048576, got 4294967295")
    }

    @Test("FIFOs given as the model file, a text, a ChapterBreak file and an ICL dataset", .timeLimit(.minutes(1)))
    func fifos() throws {
        let file = try text()
        let model = try HostileFiles.folder(at: scratch + "/fifo-model")
        try FileManager.default.copyItem(atPath: textModel + "/config.json", toPath: model + "/config.json")
        try HostileFiles.fifo(at: model + "/model.safetensors")
        try expectFailure(
            ppl(model, ["--files", file]),
            "\(model)/model.safetensors: cannot read: is a FIFO (named pipe), not a regular file")
        let fifo = try HostileFiles.fifo(at: scratch + "/text.fifo")
        try expectFailure(
            ppl(textModel, ["--files", fifo]), "\(fifo): cannot read: is a FIFO (named pipe), not a regular file")
        try expectFailure(
            ["chapterbreak", "--model", textModel, "--tokenizer", bpe, "--file", fifo, "--split", "pg19"],
            "\(fifo): cannot read: is a FIFO (named pipe), not a regular file")
        let tokenize = try CommandLineRunner.run(["tokenize", "--tokenizer", bpe, "--file", fifo], deadline: 40)
        #expect(!tokenize.timedOut && tokenize.status != 0)
        #expect(tokenize.standardError.contains("\(fifo): cannot read: is a FIFO"), "\(tokenize.standardError)")

        let data = try HostileFiles.folder(at: scratch + "/data/icl/SST-2")
        try FileManager.default.copyItem(
            atPath: FixturePaths.dataset("icl/SST-2/train.tsv"), toPath: data + "/train.tsv")
        try HostileFiles.fifo(at: data + "/dev.tsv")
        let outcome = try CommandLineRunner.run(
            Runs.icl(["--output", scratch + "/icl-run", "--data-dir", scratch + "/data", "--quiet"]), deadline: 40)
        #expect(!outcome.timedOut && outcome.status != 0 && !outcome.standardError.contains("Fatal error"))
        #expect(
            outcome.standardError.contains("\(data)/dev.tsv: cannot read: is a FIFO (named pipe), not a regular file"),
            "\(outcome.standardError)")
    }

    @Test("FIFOs in a run folder and beside a model's weights are refused, not read", .timeLimit(.minutes(1)))
    func runFolderFifos() throws {
        let file = try text()
        let run = try HostileFiles.folder(at: scratch + "/fifo-run")
        try HostileFiles.fifo(at: run + "/samples.jsonl")
        try expectFailure(
            ["ppl", "--model", textModel, "--tokenizer", bpe, "--files", file, "--output", run],
            "\(run)/samples.jsonl: cannot read: is a FIFO (named pipe), not a regular file")
        // Provenance hashes every weight file of the folder: an extra FIFO one must not block it.
        let model = try HostileFiles.folder(at: scratch + "/fifo-beside")
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: textModel + "/" + name, toPath: model + "/" + name)
        }
        try HostileFiles.fifo(at: model + "/extra.safetensors")
        try expectFailure(
            ppl(model, ["--files", file]), "\(model)/extra.safetensors: cannot read: is a FIFO (named pipe)")
    }

    @Test("directories where files belong, and --model of a file", .timeLimit(.minutes(1)))
    func wrongKinds() throws {
        let file = try text()
        let folder = try HostileFiles.folder(at: scratch + "/text.txt.d")
        try expectFailure(
            ppl(textModel, ["--files", folder]), "\(folder): cannot read: is a directory, not a regular file")
        try expectFailure(
            ["chapterbreak", "--model", textModel, "--tokenizer", bpe, "--file", folder, "--split", "pg19"],
            "\(folder): cannot read: is a directory, not a regular file")
        let model = try HostileFiles.folder(at: scratch + "/dir-model")
        try FileManager.default.copyItem(atPath: textModel + "/config.json", toPath: model + "/config.json")
        try HostileFiles.folder(at: model + "/model.safetensors")
        try expectFailure(
            ppl(model, ["--files", file]), "\(model)/model.safetensors: cannot read: is a directory, not a regular file"
        )
        let gguf = FixturePaths.fixture("llama-tiny/gguf/tiny.gguf")
        try expectFailure(
            ["ppl", "--model", gguf, "--files", file, "--output", scratch + "/gguf-file"],
            "\(gguf): is a .gguf file; give the folder that holds it")
        try expectFailure(ppl(file, ["--files", file]), "\(file): is a regular file, not a model folder")
        try expectFailure(ppl("/dev/null", ["--files", file]), "/dev/null: is a character device, not a model folder")
        try expectFailure(
            ["ppl", "--model", textModel, "--tokenizer", "/dev/null", "--files", file, "--output", scratch + "/t"],
            "/dev/null: cannot read: not a folder (tokenizer files are read from one)")
    }

    @Test("non-finite log-probabilities are errors naming the document or query", .timeLimit(.minutes(1)))
    func nonFinite() throws {
        let model = try TinyModels.writeNaNGPT2(to: scratch + "/nan-model")
        let file = try text()
        try expectFailure(
            ppl(model, ["--files", file]),
            "\(file): the log-probability of token 1 is nan (the model's weights or activations are not finite)")
        try expectFailure(
            [
                "icl", "--model", model, "--tokenizer", bpe, "--tasks", "sst2", "--seeds", "1", "--shots", "1",
                "--limit", "1", "--output", scratch + "/nan-icl",
            ],
            "icl_sst2/seed1/0: the log-probability of the label word 'negative' is nan")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/nan-icl/results.json"))
    }

    @Test(
        "a file this user may not read: its own message (run as nobody where the tests run as root)",
        .timeLimit(.minutes(1)))
    func permission() throws {
        // Root reads anything: the check needs another user, which `setpriv` gives where it exists.
        let setpriv = "/usr/bin/setpriv"
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv) else { return }
        let file = try text()
        chmod(file, 0)
        chmod(scratch, 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", CommandLineRunner.executable, "tokenize",
            "--tokenizer", bpe, "--file", file,
        ]
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // Where nobody cannot reach the executable or the tokenizer, there is nothing to check here.
        guard !message.contains("Permission denied"), !message.contains(bpe) else { return }
        #expect(process.terminationStatus != 0)
        #expect(message.contains("\(file): cannot read: permission denied"), "\(message)")
    }

    @Test("an empty test set and --tasks \"\" are errors", .timeLimit(.minutes(1)))
    func emptyEvaluation() throws {
        let data = try HostileFiles.folder(at: scratch + "/empty/icl/SST-2")
        try FileManager.default.copyItem(
            atPath: FixturePaths.dataset("icl/SST-2/train.tsv"), toPath: data + "/train.tsv")
        try "sentence\tlabel\n".write(toFile: data + "/dev.tsv", atomically: true, encoding: .utf8)
        let outcome = try CommandLineRunner.run(
            Runs.icl(["--output", scratch + "/empty-run", "--data-dir", scratch + "/empty", "--quiet"]), deadline: 40)
        #expect(outcome.status != 0 && !outcome.standardError.contains("Fatal error"))
        #expect(
            outcome.standardError.contains("icl_sst2: nothing to evaluate: \(data)/dev.tsv holds no examples"),
            "\(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/empty-run/results.json"))
        try expectFailure(
            ["icl", "--model", textModel, "--tokenizer", bpe, "--tasks", "", "--output", scratch + "/no-tasks"],
            "--tasks: no task given")
    }
}
