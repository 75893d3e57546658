/// The memories of a stream continued token chunk by chunk, kept at every point a caller may rewind to.
final class StreamCheckpoints {
    private var saved: [Int: [ContextMemory]] = [:]
    private(set) var count = 0

    func record(_ memories: [ContextMemory], count: Int) {
        saved[count] = memories
        self.count = count
    }

    func memories(at count: Int) throws -> [ContextMemory] {
        guard let memories = saved[count] else {
            throw RuntimeError.invalidSetting(.prefixCache, detail: "no checkpoint at \(count) tokens")
        }
        return memories
    }

    /// Forgets the checkpoints after `count`; the next chunk continues from the one at `count`.
    func rewind(to count: Int) {
        saved = saved.filter { $0.key <= count }
        self.count = count
    }
}
