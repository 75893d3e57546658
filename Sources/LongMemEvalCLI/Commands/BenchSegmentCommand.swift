import ArgumentParser
import Dispatch
import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor

/// `longmem-eval bench segment`: the cost of one local-window segment of a method once its memory is full,
/// the unit of every long-text evaluation.
struct BenchSegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Measure one local-window segment of a method with a filled memory.",
        discussion: """
            Fills the method's memory by running --fill tokens of random ids through it in local-window \
            segments (written to memory as an evaluation would), then times forward passes over one more \
            segment of --tokens random ids, read with that memory and not written: median of --repetitions \
            after one warm-up. Retrieval costs the same whatever the ids, so random ids measure the real cost.
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var methodOptions: MethodOptions

    @Option(name: .long, help: "Segment length in tokens (default: the local window).")
    var tokens: Int?

    @Option(name: .long, help: "Tokens written to memory first (default: the memory size).")
    var fill: Int?

    @Option(name: .long, help: "Timed runs after the warm-up.")
    var repetitions: Int = 3

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if let tokens, tokens < 1 { throw ValidationError("--tokens must be at least 1, got \(tokens)") }
        if let fill, fill < 0 { throw ValidationError("--fill must not be negative, got \(fill)") }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    func run() throws {
        if let threads = modelOptions.threads { Parallel.threads = threads }
        let directory = try modelOptions.resolvedDirectory()
        let model = try modelOptions.loading { try methodOptions.load(directory) }
        let window = model.descriptor.contextLength
        let length = tokens ?? window
        guard length <= window else {
            throw ValidationError("--tokens \(length) exceeds the local window (\(window) tokens)")
        }
        var generator = SplitMix64(seed: 42)
        let random = { (count: Int) in
            (0..<count).map { _ in Int(generator.next() % UInt64(model.descriptor.vocabularySize)) }
        }
        let fillTokens = fill ?? model.memory?.configuration.memorySize ?? 0
        model.resetMemory()
        let fillStart = DispatchTime.now()
        for start in stride(from: 0, to: fillTokens, by: window) {
            _ = try model.forwardSegment(random(min(window, fillTokens - start)), remember: true)
        }
        let fillSeconds = seconds(since: fillStart)
        let segment = random(length)
        _ = try model.forwardSegment(segment, remember: false)
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now()
            _ = try model.forwardSegment(segment, remember: false)
            times.append(seconds(since: start))
        }
        let median = times.sorted()[times.count / 2]
        let statistics = model.memoryStatistics
        let resident = ResidentMemory.current()
        let result: [String: Any] = [
            "model": directory.name, "method": model.method.rawValue, "threads": Parallel.threads,
            "blas_core": BLAS.coreName,
            "segment_tokens": length, "segment_seconds": median, "segment_seconds_all": times,
            "tokens_per_second": Double(length) / median, "fill_tokens": fillTokens, "fill_seconds": fillSeconds,
            "memory_tokens_resident": statistics.tokensResident, "resident_bytes": resident ?? -1,
        ]
        if json {
            print(JSONLine.encode(result))
            return
        }
        print(
            "\(model.method) on \(directory.name), \(Parallel.threads) threads, BLAS core \(BLAS.coreName); "
                + "memory: \(statistics.tokensResident) tokens resident after writing \(fillTokens) "
                + String(format: "(%.1f s)", fillSeconds))
        print(
            String(
                format: "segment %5d tokens  %.3f s  %8.1f tokens/s  (median of %d)", length, median,
                Double(length) / median, repetitions))
        if let resident { print(String(format: "process resident set: %.1f MiB", Double(resident) / 1_048_576)) }
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}
