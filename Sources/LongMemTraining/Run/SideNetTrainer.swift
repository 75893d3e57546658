import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor

/// One update's figures, for the progress line and train.jsonl.
public struct TrainingProgress: Sendable, Codable {
    public var step: Int
    public var steps: Int
    public var tokens: Int
    public var loss: Double
    public var learningRate: Float
    public var gradientNorm: Double
    /// Tokens per second in this process (since start or resume).
    public var tokensPerSecond: Double
    public var wallSeconds: Double
    public var validationLoss: Double?

    public var etaSeconds: Double {
        tokensPerSecond > 0 ? Double(steps - step) * Double(tokens / max(step, 1)) / tokensPerSecond : 0
    }
}

/// LongMem's memory-augmented adaptation: the frozen backbone reads each segment of the stream (its
/// block-m keys and values go to the memory bank after the segment's own pass), the SideNet reads the
/// backbone's hidden states and the memory, and AdamW updates the SideNet. The bank is never reset
/// within a pass over the stream (the official code resets it only at epoch boundaries).
public final class SideNetTrainer {
    public let folder: String
    public let configuration: TrainingConfiguration
    public let sideNet: TrainableSideNet
    let backbone: any TransformerBackbone
    let reference: BackboneReference
    let corpusName: String
    let train: TokenStream
    let validation: TokenStream?
    let optimizer: AdamW
    let memory: MemoryBank
    let checkpoint: TrainingCheckpoint
    let log: TrainingLog
    public private(set) var step = 0
    private var wallSeconds = 0.0
    private var lastValidation: Double?
    private var lastLoss: Double?

    public init(
        folder: String, configuration: TrainingConfiguration, backbone: any TransformerBackbone,
        reference: BackboneReference, corpusName: String, train: TokenStream, validation: TokenStream?
    ) throws {
        try configuration.validate(window: backbone.descriptor.contextLength)
        guard train.segmentCount > 0 else {
            throw TrainingError.corpus(
                path: corpusName, detail: "holds fewer than \(configuration.segmentLength + 1) tokens")
        }
        self.folder = folder
        self.configuration = configuration
        self.backbone = backbone
        self.reference = reference
        self.corpusName = corpusName
        self.train = train
        self.validation = validation
        try configuration.memory.validate(layers: backbone.layerCount, segmentLength: configuration.segmentLength)
        memory = try MemoryBank(configuration.memory, for: backbone, validating: false)
        sideNet = try TrainableSideNet(
            backbone: backbone, memoryLayer: configuration.memory.retrievalLayer / 2,
            initialisation: configuration.initialisation)
        optimizer = AdamW(parameters: sideNet.parameters, settings: configuration.adam)
        checkpoint = TrainingCheckpoint(folder: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try RunIdentity(configuration: configuration, backbone: reference, corpus: corpusName, tokens: train.tokens)
            .claim(folder: folder)
        log = TrainingLog(path: folder + "/train.jsonl")
        if let path = try checkpoint.latest() {
            let state = try checkpoint.restore(from: path, sideNet: sideNet, optimizer: optimizer)
            step = state.step
            wallSeconds = state.wallSeconds
            try log.truncate(after: step)
            // A finished run needs no bank: rerunning its command returns at once.
            if step < configuration.steps { try replayMemory() }
        } else {
            try log.truncate(after: 0)
        }
    }

    /// The stream segment of global segment number `index` (passes over the stream repeat it).
    func segment(_ index: Int) -> Int { index % train.segmentCount }

    /// Runs updates until `configuration.steps` (or `stopAfter` more), checkpointing every interval.
    /// `progress` sees every update. Returns the figures of the last update.
    @discardableResult
    public func run(stopAfter: Int? = nil, progress: (TrainingProgress) -> Void = { _ in }) throws -> TrainingProgress?
    {
        if step == 0 { try recordStartingValidation() }
        let started = Date(), startStep = step
        var last: TrainingProgress?
        let end = min(configuration.steps, stopAfter.map { step + $0 } ?? Int.max)
        while step < end {
            sideNet.zeroGradients()
            var loss = 0.0
            for part in 0..<configuration.accumulation {
                let index = step * configuration.accumulation + part
                if segment(index) == 0 { memory.reset() }  // a new pass over the stream
                let s = segment(index)
                loss += try sideNet.loss(
                    segment: train.inputs(s), targets: train.targets(s), backbone: backbone, memory: memory)
            }
            loss /= Double(configuration.accumulation)
            if configuration.accumulation > 1 { scaleGradients(by: 1 / Float(configuration.accumulation)) }
            let norm = GradientClipping.clip(sideNet.parameters, maxNorm: configuration.clipNorm)
            guard loss.isFinite, norm.isFinite else {
                throw TrainingError.invalidSetting(
                    .learningRate,
                    detail: "training diverged at update \(step + 1) (loss \(loss)); the last checkpoint is kept")
            }
            step += 1
            let rate = configuration.schedule.rate(forUpdate: step)
            optimizer.update(rate: rate)
            lastLoss = loss
            let elapsed = Date().timeIntervalSince(started)
            var figures = TrainingProgress(
                step: step, steps: configuration.steps, tokens: step * configuration.tokensPerStep, loss: loss,
                learningRate: rate, gradientNorm: norm,
                tokensPerSecond: Double((step - startStep) * configuration.tokensPerStep) / max(elapsed, 1e-9),
                wallSeconds: wallSeconds + elapsed)
            if step % configuration.checkpointInterval == 0 || step == configuration.steps {
                figures.validationLoss = try validate()
                lastValidation = figures.validationLoss ?? lastValidation
                try log.append(figures)
                try saveCheckpoint(wallSeconds: figures.wallSeconds)
            } else {
                try log.append(figures)
            }
            progress(figures)
            last = figures
        }
        return last
    }

    /// Mean loss of the first validation segments, with a memory of their own (no update).
    public func validate() throws -> Double? {
        guard let validation, configuration.validationSegments > 0, validation.segmentCount > 0 else { return nil }
        let bank = try MemoryBank(configuration.memory, for: backbone, validating: false)
        let count = min(configuration.validationSegments, validation.segmentCount)
        var total = 0.0
        for s in 0..<count {
            total += try sideNet.loss(
                segment: validation.inputs(s), targets: validation.targets(s), backbone: backbone, memory: bank,
                backward: false)
        }
        return total / Double(count)
    }

    /// start.json: the validation loss before any update (for the zero-branch initialisation, the backbone's
    /// own), the baseline a trained SideNet's curve is read against.
    private func recordStartingValidation() throws {
        let path = folder + "/start.json"
        guard !FileManager.default.fileExists(atPath: path), let loss = try validate() else { return }
        try AtomicFile.write(try JSONEncoder().encode(["validationLoss": loss]), to: path)
    }

    private func scaleGradients(by factor: Float) {
        for parameter in sideNet.parameters {
            for i in 0..<parameter.gradient.count { parameter.gradient.data[i] *= factor }
        }
    }

    private func saveCheckpoint(wallSeconds: Double) throws {
        try checkpoint.save(
            state: .init(step: step, tokens: step * configuration.tokensPerStep, wallSeconds: wallSeconds),
            sideNet: sideNet, optimizer: optimizer)
        try TrainedModelFolder.write(
            sideNet, backbone: reference, memory: configuration.memory,
            provenance: TrainingProvenance(
                steps: step, tokens: step * configuration.tokensPerStep, wallSeconds: wallSeconds, corpus: corpusName,
                initialisation: configuration.initialisation.rawValue, finalTrainingLoss: lastLoss,
                finalValidationLoss: lastValidation),
            to: folder + "/model")
    }

    /// Rebuilds the bank a resumed run had: the memory holds only the frozen backbone's keys and values, a
    /// function of the stream position. A shadow bank of the same shape (one 1-wide head) replays the
    /// writes since the pass began to find which segments are resident; those are forwarded again.
    private func replayMemory() throws {
        let done = step * configuration.accumulation
        guard done > 0 else { return }
        let passStart = done - done % train.segmentCount
        let shadow = MemoryBank(configuration: configuration.memory, heads: 1, dimension: 1)
        let zeros = [Float](repeating: 0, count: configuration.segmentLength)
        for _ in passStart..<done {
            zeros.withUnsafeBufferPointer {
                shadow.write(
                    keys: $0.baseAddress!, keyStride: 1, values: $0.baseAddress!, valueStride: 1,
                    tokens: configuration.segmentLength)
            }
        }
        let resident = shadow.count * configuration.memory.chunkSize / configuration.segmentLength
        memory.reset()
        for index in (done - resident)..<done {
            try BackboneRecording(
                backbone: backbone, tokens: train.inputs(segment(index)), capturing: [], memory: memory
            ).writeToMemory()
        }
    }
}
