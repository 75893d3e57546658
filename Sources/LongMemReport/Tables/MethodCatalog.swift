/// Display names and the paper's row order for method ids (`EvaluationResults.method`).
enum MethodCatalog {
    /// Baseline first, then retrieval without training, then LongMem, as in the paper's tables.
    static let order = ["local", "memtrm", "memtrm-joint", "longmem", "longmem-no-memory", "knnlm", "infllm", "gpt3"]

    static func display(_ method: String) -> String {
        switch method {
        case "local": return "Local window"
        case "memtrm": return "MemTRM-style"
        case "memtrm-joint": return "MemTRM-style (joint softmax)"
        case "longmem": return "LongMem"
        case "longmem-no-memory": return "LongMem SideNet, memory off"
        case "knnlm": return "kNN-LM"
        case "infllm": return "InfLLM-style"
        default: return method
        }
    }

    /// Sort key: known methods in paper order, others after them alphabetically.
    static func rank(_ method: String) -> Int { order.firstIndex(of: method) ?? order.count }
}
