import ArgumentParser
import Dispatch
import Foundation
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTraining

/// `longmem-eval bench train-step`: one SideNet training update on a segment of real text with a filled
/// memory, split into its phases, against the machine's sgemm peak measured in the same run.
struct BenchTrainStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Measure one SideNet training update (backbone forward, SideNet forward and backward, AdamW).",
        discussion: """
            Fills the memory with the backbone's keys and values of the text's first --memory-size tokens, then \
            times --steps updates (after --warmup) on the segments that follow: the frozen backbone's forward, \
            the SideNet's forward and backward with the memory, and AdamW. Effective GFLOP/s count useful \
            operations only (TrainingFlops: causal attention counts half the square). The sgemm peak is the \
            best of 3 runs of 1024^3 products, one per thread, measured in the same process.
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "UTF-8 text file whose tokens fill memory and feed the updates.")
    var text: String

    @Option(help: "Tokens per segment.")
    var segmentLength: Int = 1024

    @Option(help: "Memory filled before timing, in tokens.")
    var memorySize: Int = 16_384

    @Option(help: "Timed updates.")
    var steps: Int = 3

    @Option(help: "Untimed updates first.")
    var warmup: Int = 1

    func run() throws {
        try CommandLineNames.retelling {
            AllocatorTuning.keepFreedMemory()
            let (model, _) = try modelOptions.loadModel()
            guard let backbone = model as? any TransformerBackbone else {
                throw TrainingError.unsupportedBackbone(model.descriptor.architecture)
            }
            let tokens = try modelOptions.loadTokenizer(for: model.descriptor).encode(try TextFile.read(text))
            let needed = memorySize + (warmup + steps) * segmentLength + 1
            guard tokens.count >= needed else {
                throw CommandLineNames.Message("--text \(text): \(tokens.count) tokens, the run needs \(needed)")
            }
            let memory = try MemoryBank(
                MemoryConfiguration(
                    memorySize: memorySize,
                    retrievalLayer: MemoryConfiguration.defaultRetrievalLayer(layers: backbone.layerCount)),
                for: backbone, validating: false)
            let sideNet = try TrainableSideNet(
                backbone: backbone, memoryLayer: memory.configuration.retrievalLayer / 2, initialisation: .official)
            let optimizer = AdamW(parameters: sideNet.parameters)
            let stream = TokenStream(documents: [tokens], separator: nil, segmentLength: segmentLength)
            let filled = memorySize / segmentLength
            for s in 0..<filled {
                try BackboneRecording(backbone: backbone, tokens: stream.inputs(s), capturing: [], memory: memory)
                    .writeToMemory()
            }
            var phases: [[Double]] = []
            for s in filled..<(filled + warmup + steps) {
                let start = DispatchTime.now()
                let recording = try BackboneRecording(
                    backbone: backbone, tokens: stream.inputs(s), capturing: sideNet.neededHiddenStates, memory: memory)
                let forward = DispatchTime.now()
                sideNet.zeroGradients()
                _ = sideNet.loss(states: recording.hiddenStates, targets: stream.targets(s), memory: memory)
                let trained = DispatchTime.now()
                optimizer.update(rate: 2e-4)
                let end = DispatchTime.now()
                if s >= filled + warmup {
                    phases.append([start, forward, trained, end].adjacentSeconds)
                }
            }
            let median = { (i: Int) in phases.map { $0[i] }.sorted()[phases.count / 2] }
            let step = phases.map { $0.reduce(0, +) }.sorted()[phases.count / 2]
            let flops = TrainingFlops(backbone: backbone, sideNet: sideNet, tokens: segmentLength)
            let peak = SgemmPeak.measure()
            let result: [String: Any] = [
                "model": model.descriptor.architecture, "threads": Parallel.threads, "blas_core": BLAS.coreName,
                "segment_tokens": segmentLength, "memory_tokens": memory.statistics.tokensResident,
                "step_seconds": step, "tokens_per_second": Double(segmentLength) / step,
                "backbone_seconds": median(0), "sidenet_seconds": median(1), "optimizer_seconds": median(2),
                "flops_per_step": flops.total, "gflops": flops.total / step / 1e9, "sgemm_peak_gflops": peak,
                "fraction_of_peak": flops.total / step / 1e9 / peak,
                "peak_rss_mib": Double(ResidentMemory.peak() ?? 0) / 1_048_576,
                "sidenet_parameters": sideNet.parameters.reduce(0) { $0 + $1.value.count },
            ]
            print(JSONLine.encode(result))
        }
    }
}

extension [DispatchTime] {
    /// Seconds between consecutive times.
    fileprivate var adjacentSeconds: [Double] {
        zip(self, dropFirst()).map { Double($1.uptimeNanoseconds - $0.uptimeNanoseconds) / 1e9 }
    }
}

/// The machine's single-precision matrix-product ceiling as longmem-eval runs products: one single-threaded
/// OpenBLAS sgemm per worker, all workers at once.
enum SgemmPeak {
    static func measure(size n: Int = 1024, rounds: Int = 3) -> Double {
        let threads = Parallel.threads
        let a = Tensor(uninitialized: [n, n]), b = Tensor(uninitialized: [n, n])
        a.fill(0.5)
        b.fill(0.25)
        let outputs = (0..<threads).map { _ in Tensor(zeros: [n, n]) }
        var best = 0.0
        for _ in 0..<rounds {
            let start = DispatchTime.now()
            Parallel.forEach(threads) { i in
                BLAS.sgemm(m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, c: outputs[i].data, ldc: n)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            best = Swift.max(best, 2 * Double(n * n * n * threads) / seconds / 1e9)
        }
        return best
    }
}
