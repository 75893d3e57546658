import Foundation
import LongMemModels

// swiftlint:disable identifier_name
/// config.json of a trained SideNet folder (`model_type: longmem-sidenet`, written by `longmem-eval train`):
/// the frozen backbone it was trained on, its shape, the memory settings it was trained with, and how.
public struct SideNetFolderConfiguration: Codable, Sendable, Equatable {
    public static let modelType = "longmem-sidenet"

    public var model_type = Self.modelType
    public var backbone: BackboneReference
    public var sidenet_layers: Int
    public var memory_layer: Int
    public var retrieval_layer: Int
    public var memory_size: Int
    public var chunk_size: Int
    public var top_k: Int
    /// False for the zero-branch initialisation (the SideNet's output is used without a final norm).
    public var final_norm: Bool
    public var training: TrainingProvenance

    public init(
        backbone: BackboneReference, sidenet_layers: Int, memory_layer: Int, memory: MemoryConfiguration,
        final_norm: Bool, training: TrainingProvenance
    ) {
        self.backbone = backbone
        self.sidenet_layers = sidenet_layers
        self.memory_layer = memory_layer
        retrieval_layer = memory.retrievalLayer
        memory_size = memory.memorySize
        chunk_size = memory.chunkSize
        top_k = memory.topK
        self.final_norm = final_norm
        self.training = training
    }

    /// The configuration of `directory` when it is a trained SideNet folder, else nil (a GGUF file or a
    /// config.json of another model type).
    public static func trained(in directory: ModelDirectory) throws -> Self? {
        guard try directory.ggufModelPath() == nil else { return nil }
        let path = try directory.requireFile("config.json")
        guard try ConfigurationFile.modelType(path: path) == modelType else { return nil }
        return try ConfigurationFile.decode(Self.self, path: path)
    }

    /// The frozen backbone's model folder, run with `localWindow`.
    public func backboneDirectory(localWindow: Int?) throws -> ModelDirectory {
        try ModelDirectory(path: backbone.path, localWindow: localWindow)
    }
}
// swiftlint:enable identifier_name

/// Where a SideNet's frozen backbone is: its model folder and its weights' identity.
public struct BackboneReference: Sendable, Codable, Equatable {
    /// The backbone's model folder (absolute).
    public var path: String
    public var name: String
    /// SHA-256 of its weights file, as run provenance records it.
    public var weightsSHA256: String

    public init(path: String, name: String, weightsSHA256: String) {
        self.path = path
        self.name = name
        self.weightsSHA256 = weightsSHA256
    }
}

/// How a SideNet was trained, as the results that use it report it.
public struct TrainingProvenance: Sendable, Codable, Equatable {
    public var steps: Int
    public var tokens: Int
    public var wallSeconds: Double
    public var corpus: String
    public var initialisation: String
    public var finalTrainingLoss: Double?
    public var finalValidationLoss: Double?

    public init(
        steps: Int, tokens: Int, wallSeconds: Double, corpus: String, initialisation: String,
        finalTrainingLoss: Double?, finalValidationLoss: Double?
    ) {
        self.steps = steps
        self.tokens = tokens
        self.wallSeconds = wallSeconds
        self.corpus = corpus
        self.initialisation = initialisation
        self.finalTrainingLoss = finalTrainingLoss
        self.finalValidationLoss = finalValidationLoss
    }

    /// One line for a results note.
    public var summary: String {
        "SideNet trained here: \(tokens) tokens (\(steps) updates, \(initialisation) initialisation) on \(corpus)"
            + (finalValidationLoss.map { String(format: ", validation loss %.4f", $0) } ?? "")
    }
}
