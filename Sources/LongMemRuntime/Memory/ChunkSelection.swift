/// What every `ChunkIndex` owes `MemoryBank.retrieve`: the first min(count, perQuery) positions of each
/// query are real chunks, because memory attention reads exactly that many slots and a -1 there would be
/// read as a slot. A search can fall short only on non-finite scores (a NaN or infinite query or key ranks
/// nothing) or, for an approximate index, when its probed lists hold too few chunks; the approximate
/// index widens its probe first, and this is the last resort for both.
enum ChunkSelection {
    /// Replaces missing entries (-1) among the first `available` of `positions` with the oldest positions
    /// not already chosen, keeping the order of the found ones.
    /// - Complexity: O(available) when nothing is missing (the common case), else O(available^2).
    static func fillMissing(_ positions: UnsafeMutablePointer<Int32>, available: Int) {
        guard available > 0, positions[available - 1] < 0 || (0..<available).contains(where: { positions[$0] < 0 })
        else { return }
        var candidate: Int32 = 0
        for i in 0..<available where positions[i] < 0 {
            while (0..<available).contains(where: { positions[$0] == candidate }) { candidate += 1 }
            positions[i] = candidate
            candidate += 1
        }
    }
}
