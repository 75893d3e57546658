/// The evaluation methods: how a model uses (or does not use) memory.
public enum MethodKind: String, CaseIterable, Sendable, Codable {
    /// The backbone alone with its local window.
    case local
    /// Memory attention in backbone block m, fixed gate 0.5 (training-free MemTRM-style).
    case memtrm
    /// Memory attention in backbone block m, one softmax over memory and local keys.
    case memtrmJoint = "memtrm-joint"
    /// Backbone + SideNet + memory.
    case longmem
    /// The same SideNet with memory switched off (nothing retrieved, the gate path closed): the ablation
    /// that separates what memory adds from what training the SideNet adds.
    case longmemNoMemory = "longmem-no-memory"
    /// InfLLM: a context memory of block units in every block, retrieved per execution block (docs/INFLLM.md).
    case infllm
    /// InfLLM's local part alone: each query attends to the window of tokens before it, across segments,
    /// and nothing older is kept. The ablation that separates InfLLM's memory from its sliding window.
    case slidingWindow = "sliding-window"
}
