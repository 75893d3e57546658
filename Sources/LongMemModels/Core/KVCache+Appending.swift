import LongMemTensor

extension KVCache {
    /// The attention span of `count` tokens appended after what the cache holds. Throws when they do not
    /// fit in it, or run past `positionLimit` (learned or rotary positions; nil for ALiBi, which has none).
    func appendingSpan(_ count: Int, positionLimit: Int? = nil) throws -> AttentionSpan {
        let limit = min(capacity, positionLimit ?? capacity)
        guard self.count + count <= limit else {
            throw ModelsError.sequenceTooLong(length: self.count + count, limit: limit)
        }
        return AttentionSpan(queryStart: 0, queryCount: count, keyStart: 0, pastCount: self.count)
    }
}
