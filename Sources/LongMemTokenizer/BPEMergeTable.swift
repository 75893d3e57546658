/// The merge rules of a BPE vocabulary as id pairs, and the merge loop that applies them to one word.
///
/// Why ids and not strings: OpenAI's encoder.py compares and concatenates strings; working on token
/// ids gives the same result (a merge rule's result is itself a vocabulary token, checked at load)
/// with one integer-keyed hash lookup per candidate pair.
struct BPEMergeTable: Sendable {
    /// `left << 32 | right` -> `rank << 32 | merged`.
    private let rules: [UInt64: UInt64]
    /// The merged token of each rank, for the staleness check in `apply`.
    private let mergedByRank: [Int]

    /// One rule per pair. When a pair is listed twice the later rank wins, as in both OpenAI's
    /// `dict(zip(merges, range(len(merges))))` and HF's `HashMap` collect.
    init(rules ordered: [(left: Int, right: Int, merged: Int)]) {
        var rules = [UInt64: UInt64](minimumCapacity: ordered.count)
        for (rank, rule) in ordered.enumerated() {
            rules[Self.key(rule.left, rule.right)] = UInt64(rank) << 32 | UInt64(rule.merged)
        }
        self.rules = rules
        self.mergedByRank = ordered.map(\.merged)
    }

    var count: Int { rules.count }

    @inline(__always)
    private static func key(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: left) << 32 | UInt64(truncatingIfNeeded: right)
    }

    @inline(__always)
    func rule(_ left: Int, _ right: Int) -> (rank: Int, merged: Int)? {
        guard let packed = rules[Self.key(left, right)] else { return nil }
        return (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
    }

    /// Merges `symbols` (token ids of one pre-tokenized word, initially one per byte) in place.
    ///
    /// The order is HF `tokenizers`' `Word::merge_all`: repeatedly merge the adjacent pair with the
    /// lowest rank, leftmost first, until no adjacent pair has a rule. (OpenAI merges every occurrence
    /// of the best pair per round; for merge lists produced by BPE training the results are the same.)
    /// Symbols live in a doubly linked list over the array; stale queue entries (whose left symbol was
    /// absorbed, or whose pair no longer merges into the queued token) are skipped when popped.
    /// - Complexity: O(n log n) for a word of n symbols: each merge removes a symbol and pushes at most
    ///   two candidates. Words are usually a few bytes long and cached, so this runs once per distinct
    ///   word; long runs such as `"=========="` stay O(n log n) rather than OpenAI's O(n²).
    func apply(to symbols: inout [Int]) {
        let count = symbols.count
        if count < 2 { return }
        var previous = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = index - 1 }
            initialized = count
        }
        var next = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = index + 1 }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var queue = MergeQueue(capacity: count)
        for position in 0..<(count - 1) {
            if let rule = rule(symbols[position], symbols[position + 1]) {
                queue.push(rank: rule.rank, position: position)
            }
        }
        var remaining = count
        while let top = queue.pop() {
            let position = top.position
            guard alive[position] else { continue }
            let right = next[position]
            // HF's check: the pair now at `position` must still merge into the queued token.
            let merged = mergedByRank[top.rank]
            guard right < count, let rule = rule(symbols[position], symbols[right]), rule.merged == merged
            else { continue }
            symbols[position] = merged
            alive[right] = false
            remaining -= 1
            let afterRight = next[right]
            next[position] = afterRight
            if afterRight < count { previous[afterRight] = position }
            let left = previous[position]
            if left >= 0, let candidate = self.rule(symbols[left], symbols[position]) {
                queue.push(rank: candidate.rank, position: left)
            }
            if afterRight < count, let candidate = self.rule(symbols[position], symbols[afterRight]) {
                queue.push(rank: candidate.rank, position: position)
            }
        }
        if remaining == count { return }
        var write = 0
        for read in 0..<count where alive[read] {
            symbols[write] = symbols[read]
            write += 1
        }
        symbols.removeLast(count - write)
    }
}
