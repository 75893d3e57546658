import LongMemHarness
import LongMemRuntime

/// The method's facts as results record them (every memory setting that changes a number), under the
/// command line's option names.
enum RecordedMethod {
    static func options(_ method: MethodDescription, window: Int) -> [String: JSONValue] {
        var options: [String: JSONValue] = ["method": .string(method.method.rawValue), "window": .int(window)]
        if let infllm = method.infllm {
            options["memory_layers"] = "all"
            options["memory_size"] = .int(infllm.memorySize)
            options["block_size"] = .int(infllm.blockSize)
            options["n_init"] = .int(infllm.initialTokens)
            options["topk"] = .int(infllm.topK)
            options["repr_topk"] = .int(infllm.representativeTokens)
            options["exc_block_size"] = .int(infllm.executionBlock)
            options["memory_precision"] = "f32"
            if let index = method.index { record(index, into: &options) }
        }
        guard let memory = method.memory else { return options }
        options["memory_size"] = .int(memory.memorySize)
        options["chunk_size"] = .int(memory.chunkSize)
        options["top_k"] = .int(memory.topK)
        switch method.memoryLayers {
        case .all: options["memory_layers"] = "all"
        case .single(let layer): options["retrieval_layer"] = .int(layer)
        case nil: break
        }
        options["faithful_memory"] = .bool(memory.faithful)
        options["memory_precision"] = .string(memory.precision.rawValue)
        record(memory.index, into: &options)
        return options
    }

    private static func record(_ index: RetrievalIndexKind, into options: inout [String: JSONValue]) {
        switch index {
        case .exact: options["memory_index"] = "exact"
        case .ivf(let lists, let probes):
            options["memory_index"] = "ivf"
            options["ivf_lists"] = .int(lists)
            options["ivf_probes"] = .int(probes)
        }
    }
}
