/// Display names and the paper's row order for method ids (`EvaluationResults.method`).
enum MethodCatalog {
    /// Baseline first, then retrieval without training, then LongMem, as in the paper's tables.
    static let order = [
        "local", "memtrm", "memtrm-joint", "longmem", "longmem-no-memory", "knnlm", "infllm", "infllm-no-memory",
        "gpt3",
    ]

    /// How a trained model folder's note begins (`TrainingProvenance.summary`).
    static let trainedMarker = "SideNet trained here: "

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
        guard method.hasPrefix("longmem"), let note = notes.first(where: { $0.hasPrefix(trainedMarker) }),
            let count = note.dropFirst(trainedMarker.count).split(separator: " ").first.flatMap({ Int($0) })
        else { return display(method) }
        let tokens = ReportNumber.grouped(count) + " tokens"
        return method == "longmem"
            ? "LongMem (SideNet trained here on \(tokens))" : display(method) + " (trained here on \(tokens))"
    }

    /// The backbone of a SideNet trained here, from its note ("...; backbone NAME (weights ..."); nil for
    /// other models.
    static func trainedBackbone(notes: [String]) -> String? {
        guard let note = notes.first(where: { $0.hasPrefix(trainedMarker) }),
            let start = note.range(of: "; backbone ")?.upperBound
        else { return nil }
        let backbone = note[start...].prefix { $0 != " " && $0 != ";" }
        return backbone.isEmpty ? nil : String(backbone)
    }

    /// The model column: a SideNet trained here sits in a folder named for its run, so its rows show
    /// "backbone + SideNet"; other models keep their folder name.
    static func model(_ name: String, notes: [String]) -> String {
        trainedBackbone(notes: notes).map { $0 + " + SideNet" } ?? name
    }

    /// Sort key: known methods in paper order, others after them alphabetically.
    static func rank(_ method: String) -> Int { order.firstIndex(of: method) ?? order.count }
}
