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
    /// InfLLM with its memory switched off: the sliding local window and the `n_init` initial tokens, no
    /// memory units (`--n-init 0`: the sliding window alone). Separates what InfLLM's memory adds.
    case infllmNoMemory = "infllm-no-memory"
}
