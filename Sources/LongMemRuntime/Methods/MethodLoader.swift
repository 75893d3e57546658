import LongMemModels
import LongMemTensor

/// Memory settings chosen by the caller; nil keeps the model folder's (or LongMem's) default.
public struct MemoryOptions: Sendable, Equatable {
    public var memorySize: Int?
    public var chunkSize: Int?
    public var topK: Int?
    public var retrievalLayer: Int?
    public var faithful: Bool
    public var precision: MemoryPrecision
    /// InfLLM's settings chosen by the caller; nil keeps `InfLLMSettings.defaults(window:)`'s.
    public var infllm: InfLLMOptions
    public var index: RetrievalIndexKind

    public init(
        memorySize: Int? = nil, chunkSize: Int? = nil, topK: Int? = nil, retrievalLayer: Int? = nil,
        faithful: Bool = false, precision: MemoryPrecision = .float16, infllm: InfLLMOptions = InfLLMOptions(),
        index: RetrievalIndexKind = .exact
    ) {
        self.precision = precision
        self.index = index
        self.infllm = infllm
        self.memorySize = memorySize
        self.chunkSize = chunkSize
        self.topK = topK
        self.retrievalLayer = retrievalLayer
        self.faithful = faithful
    }
}

/// The extra `config.json` keys of a `model_type: longmem` folder.
struct LongMemFolderConfiguration: Decodable {
    var sidenet_layers: Int  // swiftlint:disable:this identifier_name
    var retrieval_layer: Int  // swiftlint:disable:this identifier_name
    var memory_layer: Int  // swiftlint:disable:this identifier_name
    var memory_size: Int?  // swiftlint:disable:this identifier_name
    var chunk_size: Int?  // swiftlint:disable:this identifier_name
    var top_k: Int?  // swiftlint:disable:this identifier_name
    var sidenet_layer_norm_epsilon: Float?  // swiftlint:disable:this identifier_name
}

/// Builds the model a method needs from a model folder.
public enum MethodLoader {
    public static func load(
        _ directory: ModelDirectory, method: MethodKind, memory options: MemoryOptions
    ) throws
        -> MemoryAugmentedModel
    {
        if try directory.ggufModelPath() == nil,
            try ConfigurationFile.modelType(path: try directory.requireFile("config.json")) == "longmem"
        {
            return try loadLongMemFolder(directory, method: method, options: options)
        }
        if let folder = try SideNetFolderConfiguration.trained(in: directory) {
            return try loadTrainedSideNet(directory, folder: folder, method: method, options: options)
        }
        let backbone = try ModelRegistry.load(directory)
        switch method {
        case .local:
            return LocalModel(backbone: backbone)
        case .memtrm, .memtrmJoint:
            guard let transformer = backbone as? TransformerBackbone else {
                throw RuntimeError.unsupportedMethod(
                    method: method.rawValue, architecture: backbone.descriptor.architecture)
            }
            return try MemTRMModel(
                backbone: transformer, configuration: configuration(options, layers: transformer.layerCount),
                fusion: fusion(method, heads: transformer.attentionGeometry.heads))
        case .infllm, .infllmNoMemory:
            guard let transformer = backbone as? TransformerBackbone else {
                throw RuntimeError.unsupportedMethod(
                    method: method.rawValue, architecture: backbone.descriptor.architecture)
            }
            return try infllm(transformer, options, memory: method == .infllm)
        case .longmemNoMemory:
            throw RuntimeError.invalidSetting(
                .sideNet, detail: "longmem-no-memory needs a trained SideNet (a longmem or longmem-sidenet folder)")
        case .longmem:
            // Without trained SideNet weights: the official initialisation from blocks 2i+1 (untrained).
            if let newgpt = backbone as? NewGPTModel {
                let memory = configuration(options, layers: newgpt.layerCount)
                let sideNet = SideNet(initialisedFrom: newgpt, memoryLayer: memory.retrievalLayer / 2)
                return try LongMemModel(backbone: newgpt, sideNet: sideNet, configuration: memory)
            }
            if let llama = backbone as? LlamaModel {
                let memory = configuration(options, layers: llama.layerCount)
                let sideNet = SideNet(initialisedFrom: llama, memoryLayer: memory.retrievalLayer / 2)
                return try LongMemModel(backbone: llama, sideNet: sideNet, configuration: memory)
            }
            throw RuntimeError.unsupportedMethod(
                method: method.rawValue, architecture: backbone.descriptor.architecture)
        }
    }

    /// A folder written by Scripts/convert_longmem_checkpoint.py: backbone tensors under `backbone.`,
    /// SideNet tensors under `sidenet.`, memory defaults in config.json.
    static func loadLongMemFolder(
        _ directory: ModelDirectory, method: MethodKind, options: MemoryOptions
    ) throws
        -> MemoryAugmentedModel
    {
        let configurationPath = try directory.requireFile("config.json")
        let folder = try ConfigurationFile.decode(LongMemFolderConfiguration.self, path: configurationPath)
        let backbone = try NewGPTModel.loadBackbone(directory, prefix: "backbone.")
        var options = options
        options.memorySize = options.memorySize ?? folder.memory_size
        options.chunkSize = options.chunkSize ?? folder.chunk_size
        options.topK = options.topK ?? folder.top_k
        options.retrievalLayer = options.retrievalLayer ?? folder.retrieval_layer
        let memory = configuration(options, layers: backbone.layerCount)
        switch method {
        case .local: return LocalModel(backbone: backbone)
        case .memtrm, .memtrmJoint:
            return try MemTRMModel(
                backbone: backbone, configuration: memory,
                fusion: fusion(method, heads: backbone.attentionGeometry.heads))
        case .infllm, .infllmNoMemory:
            return try infllm(backbone, options, memory: method == .infllm)
        case .longmem, .longmemNoMemory:
            guard backbone.layerCount.isMultiple(of: 2), folder.sidenet_layers == backbone.layerCount / 2 else {
                throw RuntimeError.incompatibleWeights(
                    path: configurationPath,
                    detail:
                        "sidenet_layers \(folder.sidenet_layers) does not fit a \(backbone.layerCount)-block backbone")
            }
            let weightsPath = try directory.requireFile("model.safetensors")
            let binder = WeightBinder(source: try SafeTensorsFile.open(weightsPath)) {
                $0.hasPrefix("sidenet.") ? $0 : nil
            }
            let sideNet = try SideNet(
                binder: binder, layers: folder.sidenet_layers, memoryLayer: folder.memory_layer, backbone: backbone,
                layerNormEpsilon: folder.sidenet_layer_norm_epsilon ?? SideNet.defaultLayerNormEpsilon)
            try binder.finish()
            return try LongMemModel(
                backbone: backbone, sideNet: sideNet, configuration: memory, usesMemory: method == .longmem)
        }
    }

    /// A folder written by `longmem-eval train`: the backbone is loaded from the folder config.json names
    /// (with this folder's local window), the SideNet from sidenet.safetensors; the memory defaults are the
    /// ones it was trained with. Other methods run on the backbone alone.
    static func loadTrainedSideNet(
        _ directory: ModelDirectory, folder: SideNetFolderConfiguration, method: MethodKind, options: MemoryOptions
    ) throws -> MemoryAugmentedModel {
        let backboneDirectory = try folder.backboneDirectory(localWindow: directory.localWindow)
        guard method == .longmem || method == .longmemNoMemory else {
            return try load(backboneDirectory, method: method, memory: options)
        }
        var options = options
        options.memorySize = options.memorySize ?? folder.memory_size
        options.chunkSize = options.chunkSize ?? folder.chunk_size
        options.topK = options.topK ?? folder.top_k
        options.retrievalLayer = options.retrievalLayer ?? folder.retrieval_layer
        let backbone = try ModelRegistry.load(backboneDirectory)
        let memory = configuration(options, layers: (backbone as? TransformerBackbone)?.layerCount ?? 0)
        let weights = try SafeTensorsFile.open(try directory.requireFile("sidenet.safetensors"))
        let sideNet: SideNet
        let transformer: any TransformerBackbone & IncrementalDecoder
        if let llama = backbone as? LlamaModel {
            // Llama blocks bind Hugging Face names, so the `sidenet.` prefix goes.
            let binder = WeightBinder(source: weights) {
                $0.hasPrefix("sidenet.") ? String($0.dropFirst("sidenet.".count)) : nil
            }
            sideNet = try SideNet(
                binder: binder, layers: folder.sidenet_layers, memoryLayer: folder.memory_layer, backbone: llama,
                finalNorm: folder.final_norm)
            try binder.finish()
            transformer = llama
        } else if let newgpt = backbone as? NewGPTModel {
            let binder = WeightBinder(source: weights) { $0.hasPrefix("sidenet.") ? $0 : nil }
            sideNet = try SideNet(
                binder: binder, layers: folder.sidenet_layers, memoryLayer: folder.memory_layer, backbone: newgpt,
                finalNorm: folder.final_norm)
            try binder.finish()
            transformer = newgpt
        } else {
            throw RuntimeError.unsupportedMethod(
                method: method.rawValue, architecture: backbone.descriptor.architecture)
        }
        return try LongMemModel(
            backbone: transformer, sideNet: sideNet, configuration: memory, usesMemory: method == .longmem,
            notes: [
                folder.training.summary
                    + "; backbone \(folder.backbone.name) (weights sha256 \(folder.backbone.weightsSHA256.prefix(12)))"
            ])
    }

    /// InfLLM, or without `memory` its sliding local window alone.
    static func infllm(
        _ backbone: TransformerBackbone, _ options: MemoryOptions, memory: Bool
    ) throws
        -> InfLLMModel
    {
        try InfLLMModel(
            backbone: backbone,
            settings: options.infllm.settings(
                window: backbone.descriptor.contextLength, memorySize: options.memorySize),
            index: options.index, contextMemory: memory)
    }

    static func configuration(_ options: MemoryOptions, layers: Int) -> MemoryConfiguration {
        MemoryConfiguration(
            memorySize: options.memorySize ?? 65_536, chunkSize: options.chunkSize ?? 4, topK: options.topK ?? 64,
            retrievalLayer: options.retrievalLayer ?? MemoryConfiguration.defaultRetrievalLayer(layers: layers),
            faithful: options.faithful, precision: options.precision, index: options.index)
    }

    static func fusion(_ method: MethodKind, heads: Int) -> MemoryFusion {
        method == .memtrmJoint ? .jointSoftmax : .gated(memoryBias: [Float](repeating: 0, count: heads))
    }
}
