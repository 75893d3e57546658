import ArgumentParser
import Foundation
import LongMemModels
import LongMemTensor

/// `longmem-eval bench`: speed measurements, one subcommand each.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure speed: a model's prefill and decode (default), a memory segment, retrieval, memory footprint.",
        subcommands: [
            BenchModelCommand.self, BenchSegmentCommand.self, BenchRetrievalCommand.self, BenchMemoryCommand.self,
            BenchTrainStepCommand.self,
        ],
        defaultSubcommand: BenchModelCommand.self
    )
}

/// Prefill and decode speed, in the spirit of llama-bench.
struct BenchModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Measure prefill tokens/s and decode ms/token of a model.",
        discussion: """
            Prefill: one forward pass over --tokens random token ids plus the logits of every position, reduced \
            to log-probs on the fly as scoring does; median of --repetitions runs after one warm-up. Decode: --decode-tokens single-token \
            steps through the KV cache from an empty context. Absolute times depend on the machine and its \
            load; compare tools side by side in the same run (Scripts/bench/).
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Prefill length in tokens.")
    var tokens: Int = 1024

    @Option(name: .long, help: "Decode steps (0 to skip decoding).")
    var decodeTokens: Int = 32

    @Option(name: .long, help: "Timed prefill runs after the warm-up.")
    var repetitions: Int = 3

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard tokens >= 1 else { throw ValidationError("--tokens must be at least 1") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard decodeTokens >= 0 else { throw ValidationError("--decode-tokens must not be negative") }
    }

    func run() throws {
        let (model, directory) = try modelOptions.loadModel()
        let descriptor = model.descriptor
        guard tokens <= descriptor.contextLength else {
            throw ValidationError("--tokens \(tokens) exceeds the model's \(descriptor.contextLength) positions")
        }
        var generator = SplitMix64(seed: 42)
        let input = (0..<tokens).map { _ in Int(generator.next() % UInt64(descriptor.vocabularySize)) }
        let targets: [Int?] = input.dropFirst().map { $0 } + [nil]
        let scratch = ScratchSpace()
        let prefill = {
            let hidden = try model.hiddenStates(for: [input])
            _ = LogitReduction.predictions(
                hidden: hidden, head: model.outputHead, rows: Array(input.indices), targets: targets,
                scratch: scratch)
        }
        try prefill()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now()
            try prefill()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        let median = times.sorted()[times.count / 2]
        let decode = try decodeMilliseconds(model, input: input)
        let result: [String: Any] = [
            "model": directory.name, "architecture": descriptor.architecture, "threads": Parallel.threads,
            "blas_core": BLAS.coreName, "prefill_tokens": tokens, "prefill_seconds": median,
            "prefill_seconds_all": times, "prefill_tokens_per_second": Double(tokens) / median,
            "decode_tokens": decodeTokens, "decode_ms_per_token": decode ?? Double.nan,
        ]
        if json {
            print(JSONLine.encode(result))
        } else {
            print(
                "model \(directory.name) (\(descriptor.architecture)), \(Parallel.threads) threads, BLAS core \(BLAS.coreName)"
            )
            print(
                String(
                    format: "prefill %5d tokens  %9.1f tokens/s  (median of %d: %.3f s)", tokens,
                    Double(tokens) / median, repetitions, median))
            if let decode { print(String(format: "decode  %5d tokens  %9.2f ms/token", decodeTokens, decode)) }
        }
    }

    /// Mean milliseconds per single-token step through a KV cache, when the model has one.
    private func decodeMilliseconds(_ model: LanguageModel, input: [Int]) throws -> Double? {
        guard decodeTokens > 0, let cached = model as? IncrementalDecoder else { return nil }
        let steps = min(decodeTokens, cached.descriptor.contextLength)
        let cache = cached.makeCache(capacity: steps)
        let start = DispatchTime.now()
        for step in 0..<steps { _ = try cached.logits(appending: [input[step % input.count]], to: cache) }
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6 / Double(steps)
    }
}
