import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTraining

extension SideNetInitialisation: ExpressibleByArgument {}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a LongMem SideNet on a frozen backbone (memory-augmented adaptation), on CPU.",
        discussion: """
            The backbone (GPT-2* or a Llama-family model) stays frozen; its block-m keys and values fill the \
            memory bank segment by segment (after each segment's own pass, never reset within a pass over \
            the corpus); the SideNet (L/2 layers, cross-network residual, joint attention in its memory layer) \
            is trained with AdamW on the next-token loss. Defaults follow the official recipe \
            (train_scripts/train_longmem.sh): 1,024-token segments, lr 2e-4 with linear decay to 0 and no \
            warm-up, Adam betas (0.9, 0.98), eps 1e-6, weight decay 0.01, no clipping, 65,536-token memory in \
            chunks of 4, 64 retrieved tokens. The corpus is the data directory's `train` dataset, with whole \
            documents held out for validation. Checkpoints go to --output every --checkpoint-every updates, \
            with the model folder --output/model (usable as --model with --method longmem); rerunning the \
            same command resumes from the last checkpoint.
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Run folder (checkpoints, train.jsonl, model/); rerunning the same command resumes it.")
    var output: String

    @Option(help: "Data directory (default: $LONGMEM_EVAL_DATA, else ~/.cache/longmem-eval/datasets).")
    var dataDir: String?

    @Option(parsing: .upToNextOption, help: "Train on these text files instead of the `train` dataset.")
    var files: [String] = []

    @Option(help: "With --files: hold out the last N files for validation.")
    var validationFiles: Int = 0

    @Option(help: "Optimizer updates.")
    var steps: Int

    @Option(help: "Tokens per segment.")
    var segmentLength: Int = 1024

    @Option(help: "Segments per update (gradient accumulation).")
    var accumulation: Int = 1

    @Option(help: "Peak learning rate (linear decay to 0).")
    var learningRate: Float = 2e-4

    @Option(help: "Warm-up updates.")
    var warmup: Int = 0

    @Option(help: "Clip the global gradient norm to this value (default: no clipping, as the official recipe).")
    var clipNorm: Float?

    @Option(help: "AdamW decoupled weight decay.")
    var weightDecay: Float = 0.01

    @Option(help: "SideNet initialisation: official (layer i copies block 2i+1) or zero-branch.")
    var initialisation: SideNetInitialisation = .official

    @Option(help: "Memory capacity in tokens.")
    var memorySize: Int = 65_536

    @Option(help: "Tokens per memory chunk.")
    var chunkSize: Int = 4

    @Option(help: "Tokens retrieved per query and head.")
    var topK: Int = 64

    @Option(help: "Backbone block whose keys and values are cached (default: 3L/4 - 1).")
    var retrievalLayer: Int?

    @Option(help: "Stored key/value precision: f16 or f32.")
    var memoryPrecision: MemoryPrecision = .float16

    @Option(help: "Updates between checkpoints (and validation).")
    var checkpointEvery: Int = 100

    @Option(help: "Validation segments scored at each checkpoint.")
    var validationSegments: Int = 16

    @Option(help: "Stop after this many updates in this process (the run resumes later).")
    var stopAfter: Int?

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        try CommandLineNames.retelling {
            AllocatorTuning.keepFreedMemory()
            let (model, directory) = try modelOptions.loadModel()
            guard let backbone = model as? any TransformerBackbone else {
                throw TrainingError.unsupportedBackbone(model.descriptor.architecture)
            }
            let tokenizer = try modelOptions.loadTokenizer(for: model.descriptor)
            let memory = MemoryConfiguration(
                memorySize: memorySize, chunkSize: chunkSize, topK: topK,
                retrievalLayer: retrievalLayer
                    ?? MemoryConfiguration.defaultRetrievalLayer(layers: backbone.layerCount),
                precision: memoryPrecision)
            var configuration = TrainingConfiguration(steps: steps, memory: memory, initialisation: initialisation)
            configuration.segmentLength = segmentLength
            configuration.accumulation = accumulation
            configuration.learningRate = learningRate
            configuration.warmup = warmup
            configuration.clipNorm = clipNorm
            configuration.adam.weightDecay = weightDecay
            configuration.checkpointInterval = checkpointEvery
            configuration.validationSegments = validationSegments
            try configuration.validate(window: backbone.descriptor.contextLength)

            let root = DataDirectory.resolve(explicit: dataDir).path
            let corpus =
                files.isEmpty ? try TrainingCorpus() : TrainingCorpus(files: files, validation: validationFiles)
            let corpusName =
                files.isEmpty ? "the train dataset (\(corpus.training.count) documents)" : files.joined(separator: ",")
            func stream(_ documents: [TrainingCorpus.Document]) throws -> TokenStream {
                let tokens = try documents.map { try tokenizer.encode(TrainingCorpus.text(of: $0, root: root)) }
                return TokenStream(documents: tokens, separator: tokenizer.endOfTextID, segmentLength: segmentLength)
            }
            say("tokenising \(corpus.training.count) + \(corpus.validation.count) documents...")
            let train = try stream(corpus.training)
            let validation = corpus.validation.isEmpty ? nil : try stream(corpus.validation)
            let info = try Provenance.model(directory: directory.path, architecture: model.descriptor.architecture)
            let reference = BackboneReference(
                path: URL(fileURLWithPath: directory.path).standardizedFileURL.path, name: info.name,
                weightsSHA256: info.weightsSHA256)
            let trainer = try SideNetTrainer(
                folder: output, configuration: configuration, backbone: backbone, reference: reference,
                corpusName: corpusName, train: train, validation: validation)
            say(
                "training \(trainer.sideNet.layerCount) SideNet layers on \(train.tokens.count) tokens "
                    + "(\(train.segmentCount) segments), from update \(trainer.step) of \(steps)")
            try trainer.run(stopAfter: stopAfter) { say(Self.progressLine($0)) }
        }
    }

    private func say(_ line: String) {
        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    static func progressLine(_ p: TrainingProgress) -> String {
        var line = String(
            format: "update %d/%d  loss %.4f  lr %.2e  |g| %.3f  %.0f tok/s  ETA %@", p.step, p.steps, p.loss,
            p.learningRate, p.gradientNorm, p.tokensPerSecond, duration(p.etaSeconds))
        if let validation = p.validationLoss { line += String(format: "  validation %.4f", validation) }
        return line
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}
