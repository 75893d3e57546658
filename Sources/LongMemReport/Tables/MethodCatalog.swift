/// Display names and the paper's row order for method ids (`EvaluationResults.method`).
enum MethodCatalog {
    /// Baseline first, then retrieval without training, then LongMem, as in the paper's tables.
    static let order = [
        "local", "memtrm", "memtrm-joint", "longmem", "longmem-no-memory", "knnlm", "infllm", "infllm-no-memory",
        "gpt3",
    ]

    static func display(_ method: String) -> String {
        switch method {
        case "local": return "Local window"
        case "memtrm": return "MemTRM-style"
        case "memtrm-joint": return "MemTRM-style (joint softmax)"
        case "longmem": return "LongMem"
        case "longmem-no-memory": return "LongMem SideNet, memory off"
        case "knnlm": return "kNN-LM"
        case "infllm": return "InfLLM"
        case "infllm-no-memory": return "InfLLM, memory off"
        default: return method
        }
    }

    /// `display(method)`, and for a SideNet trained here (its run notes say "SideNet trained here: N tokens")
    /// "LongMem (SideNet trained here on N tokens)".
    static func display(_ method: String, notes: [String]) -> String {
        let marker = "SideNet trained here: "
        guard method.hasPrefix("longmem"), let note = notes.first(where: { $0.hasPrefix(marker) }),
            let count = note.dropFirst(marker.count).split(separator: " ").first.flatMap({ Int($0) })
        else { return display(method) }
        let tokens = ReportNumber.grouped(count) + " tokens"
        return method == "longmem"
            ? "LongMem (SideNet trained here on \(tokens))" : display(method) + " (trained here on \(tokens))"
    }

    /// Sort key: known methods in paper order, others after them alphabetically.
    static func rank(_ method: String) -> Int { order.firstIndex(of: method) ?? order.count }
}
