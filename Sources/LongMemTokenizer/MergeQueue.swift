/// A binary min-heap of merge candidates packed as `rank << 32 | position`.
///
/// Why packed integers: ordering by (rank, position) is then plain integer order, which is exactly
/// HF's tie rule (lowest rank first, leftmost first), and the heap needs no comparator closure.
struct MergeQueue {
    private var keys: [UInt64] = []

    init(capacity: Int) { keys.reserveCapacity(capacity) }

    /// - Complexity: O(log n).
    mutating func push(rank: Int, position: Int) {
        keys.append(UInt64(rank) << 32 | UInt64(position))
        var child = keys.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if keys[parent] <= keys[child] { break }
            keys.swapAt(parent, child)
            child = parent
        }
    }

    /// The lowest (rank, position), removed from the queue.
    /// - Complexity: O(log n).
    mutating func pop() -> (rank: Int, position: Int)? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys[0] = last
            var parent = 0
            let count = keys.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                let right = left + 1
                let smaller = right < count && keys[right] < keys[left] ? right : left
                if keys[parent] <= keys[smaller] { break }
                keys.swapAt(parent, smaller)
                parent = smaller
            }
        }
        return (Int(top >> 32), Int(top & 0xFFFF_FFFF))
    }
}
