/// One InfLLM memory unit: `blockSize` tokens' unrotated keys and values (rows of kvHeads * D) and the
/// unit's retrieval key (heads * D: per query head, the mean key of its representative tokens).
/// Immutable, so copies of a layer's memory share their units.
final class MemoryUnit: Sendable {
    let keys: [Float]
    let values: [Float]
    let key: [Float]

    init(keys: [Float], values: [Float], key: [Float]) {
        self.keys = keys
        self.values = values
        self.key = key
    }
}
