import Foundation
import LongMemTestSupport
import Testing

/// `longmem-eval train` end to end on the committed tiny text model: kill -9 and resume, and bad input.
@Suite("train: kill -9 and resume, hostile input")
final class TrainCommandTests {
    let scratch = FixturePaths.temporaryDirectory("train-cli")
    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// 40 KB of a training book, and 8 KB of another for validation.
    func corpus() throws -> [String] {
        let book = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.dataset("train/books/pg105.txt")))
        let train = scratch + "/train.txt", validation = scratch + "/validation.txt"
        try book.prefix(40_000).write(to: URL(fileURLWithPath: train))
        try book.suffix(8_000).write(to: URL(fileURLWithPath: validation))
        return [train, validation]
    }

    func train(_ folder: String, steps: Int = 40, _ extra: [String] = []) throws -> [String] {
        ["train", "--model", Runs.textModel, "--tokenizer", Runs.bpe, "--files"] + (try corpus())
            + [
                "--validation-files", "1", "--output", folder, "--steps", "\(steps)", "--segment-length", "32",
                "--memory-size", "128", "--top-k", "8", "--checkpoint-every", "5", "--validation-segments", "2",
                "--clip-norm", "1", "--quiet",
            ] + extra
    }

    /// train.jsonl's updates as (step, loss, gradient norm, rate, validation loss) rows.
    func log(_ folder: String) throws -> [[Double?]] {
        try String(contentsOfFile: folder + "/train.jsonl", encoding: .utf8).split(separator: "\n").map {
            let row = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return ["step", "loss", "gradientNorm", "learningRate", "validationLoss"].map { row[$0] as? Double }
        }
    }

    @Test(
        "kill -9 after the first checkpoint, rerun the same command: the same losses and weights as an uninterrupted run"
    )
    func killAndResume() throws {
        let whole = scratch + "/whole", killed = scratch + "/killed"
        let outcome = try CommandLineRunner.run(try train(whole), deadline: 300)
        #expect(outcome.status == 0, "\(outcome.standardError)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = try train(killed)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pointer = killed + "/checkpoints/latest"
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, !FileManager.default.fileExists(atPath: pointer), Date() < deadline {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run ended before it could be killed")
        let stoppedAt = try log(killed).count
        #expect(stoppedAt < 40, "killed midway (\(stoppedAt) updates logged)")

        let resumed = try CommandLineRunner.run(try train(killed), deadline: 300)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let expected = try log(whole), measured = try log(killed)
        #expect(measured.count == 40)
        #expect(measured == expected, "train.jsonl after resuming differs from the uninterrupted run's")
        let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/model/sidenet.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: killed + "/model/sidenet.safetensors"))
        #expect(a == b, "final SideNet weights differ")
    }

    /// Runs a command that must fail; returns its stderr.
    func failure(_ arguments: [String]) throws -> String {
        let outcome = try CommandLineRunner.run(arguments, deadline: 120)
        #expect(!outcome.timedOut && outcome.status != 0, "\(arguments.prefix(2)) succeeded or hung")
        #expect(!outcome.standardError.contains("Fatal error"), "crashed: \(outcome.standardError)")
        return outcome.standardError
    }

    @Test(
        "bad corpus files, settings and checkpoints: one-line errors naming the file or option, checkpoints untouched")
    func hostile() throws {
        let folder = scratch + "/bad"
        let binary = scratch + "/binary.txt", empty = scratch + "/empty.txt"
        try Data([0x66, 0xff, 0xfe, 0x00, 0x80]).write(to: URL(fileURLWithPath: binary))
        try Data("  \n".utf8).write(to: URL(fileURLWithPath: empty))
        func with(files: [String]) throws -> [String] {
            var arguments = try train(folder)
            let start = arguments.firstIndex(of: "--files")! + 1
            arguments.replaceSubrange(start..<(start + 2), with: files)
            arguments[arguments.firstIndex(of: "--validation-files")! + 1] = "0"
            return arguments
        }
        #expect(try failure(try with(files: [binary])).contains(binary))
        #expect(try failure(try with(files: [empty])).contains("\(empty): cannot read: holds no text"))
        #expect(
            try failure(try train(folder, ["--learning-rate", "0"])).contains("--learning-rate: 0.0 must be positive"))
        #expect(try failure(try train(folder, ["--learning-rate", "-1e-4"])).contains("--learning-rate"))
        #expect(try failure(try train(folder, steps: 0)).contains("--steps: 0 must be positive"))
        #expect(
            try failure(try train(folder, ["--segment-length", "2048"])).contains(
                "--segment-length: 2048 is longer than the backbone's window"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/checkpoints"), "nothing written by refused runs")

        // A finished run, then its checkpoint damaged: the rerun names the file and changes nothing.
        let done = try CommandLineRunner.run(try train(folder, steps: 5), deadline: 300)
        #expect(done.status == 0, "\(done.standardError)")
        let optimizer = folder + "/checkpoints/step-000005/optimizer.safetensors"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: optimizer))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: optimizer))
        #expect(try failure(try train(folder, steps: 5)).contains(optimizer))
        #expect(try Data(contentsOf: URL(fileURLWithPath: optimizer)) == bytes.prefix(bytes.count / 2))
        // The same folder with other settings (another SideNet shape) is refused.
        #expect(
            try failure(try train(folder, steps: 5, ["--initialisation", "zero-branch"])).contains(
                "belongs to another run"))
    }

    @Test("a trained folder reads its backbone's tokenizer: evaluating it needs no --tokenizer")
    func trainedFolderTokenizer() throws {
        // A backbone folder that holds its tokenizer, as catalog models do; the trained folder refers to it.
        let backbone = scratch + "/backbone", folder = scratch + "/own-tokenizer"
        try FileManager.default.createDirectory(atPath: backbone, withIntermediateDirectories: true)
        for (source, file) in [(Runs.textModel, "config.json"), (Runs.textModel, "model.safetensors")]
            + ["dict.txt", "encoder.json", "vocab.bpe"].map({ (Runs.bpe, $0) })
        {
            try FileManager.default.copyItem(atPath: source + "/" + file, toPath: backbone + "/" + file)
        }
        var arguments = try train(folder, steps: 2)
        arguments.removeSubrange(3...4)  // --tokenizer Runs.bpe
        arguments[2] = backbone
        let trained = try CommandLineRunner.run(arguments, deadline: 120)
        #expect(trained.status == 0, "\(trained.standardError)")
        let evaluated = try CommandLineRunner.run(
            [
                "ppl", "--model", folder + "/model", "--method", "longmem", "--window", "32", "--files",
                try corpus()[1],
                "--quiet", "--output", scratch + "/ppl",
            ], deadline: 120)
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
    }
}
