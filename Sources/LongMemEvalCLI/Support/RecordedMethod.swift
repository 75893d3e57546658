import LongMemHarness
import LongMemRuntime

/// The method's facts as results record them (every memory setting that changes a number), under the
/// command line's option names.
enum RecordedMethod {
    static func options(_ method: MethodDescription, window: Int) -> [String: JSONValue] {
        var options: [String: JSONValue] = ["method": .string(method.method.rawValue), "window": .int(window)]
        guard let memory = method.memory else { return options }
        options["memory_size"] = .int(memory.memorySize)
        options["chunk_size"] = .int(memory.chunkSize)
        options["top_k"] = .int(memory.topK)
        switch method.memoryLayers {
        case .all: options["memory_layers"] = "all"
        case .single(let layer): options["retrieval_layer"] = .int(layer)
        case nil: break
        }
        if let initialTokens = method.initialTokens { options["initial_tokens"] = .int(initialTokens) }
        options["faithful_memory"] = .bool(memory.faithful)
        options["memory_precision"] = .string(memory.precision.rawValue)
        switch memory.index {
        case .exact: options["memory_index"] = "exact"
        case .ivf(let lists, let probes):
            options["memory_index"] = "ivf"
            options["ivf_lists"] = .int(lists)
            options["ivf_probes"] = .int(probes)
        }
        return options
    }
}
