import CLongMemKernels
import LongMemModels
import LongMemTensor

/// One layer's context memory, as InfLLM's `ContextManager` keeps it (docs/INFLLM.md, "State of one
/// layer"): the initial tokens, the remainder (every later token not yet in a unit, the local window
/// included, with the attention each received per query head) and the memory units.
///
/// A value: a pass that must not change memory (a query read after the demonstrations) works on a copy.
/// Unit keys of committed units live in the model's `ChunkIndex`; units formed or dropped since the last
/// commit are tracked here so that a copy retrieves exactly as if the index had been updated.
struct ContextMemory {
    let settings: InfLLMSettings
    let geometry: AttentionGeometry
    /// false: InfLLM with its memory off: the initial tokens and the local window only (no units; the
    /// global part holds the initial tokens, and other tokens leave for good once beyond the window).
    let keepsMemory: Bool
    private(set) var initialKeys: [Float] = []
    private(set) var initialValues: [Float] = []
    private(set) var remainderKeys: [Float] = []
    private(set) var remainderValues: [Float] = []
    /// (remainder rows, heads).
    private(set) var remainderScores: [Float] = []
    private(set) var units: [MemoryUnit] = []
    /// Units in the index at the last commit, and units dropped from the front of `units` since.
    private var indexed = 0
    private var dropped = 0
    /// Tokens ever cut into units, and dropped from memory: the counters runs record.
    private(set) var unitTokens = 0
    private(set) var droppedTokens = 0

    init(settings: InfLLMSettings, geometry: AttentionGeometry, keepsMemory: Bool = true) {
        self.settings = settings
        self.geometry = geometry
        self.keepsMemory = keepsMemory
    }

    var remainderCount: Int { remainderKeys.count / geometry.keyWidth }
    var initialCount: Int { initialKeys.count / geometry.keyWidth }

    /// Unrotated projections of one execution block (`rows` tokens).
    struct Block {
        var queries: UnsafePointer<Float>
        var queryStride: Int
        var keys: UnsafePointer<Float>
        var keyStride: Int
        var values: UnsafePointer<Float>
        var valueStride: Int
        var rows: Int
    }

    /// Attention of one execution block (output rows of heads * D), then the memory update after it.
    /// `rotate` is the backbone's rotary embedding (nil for ALiBi backbones).
    mutating func attend(
        _ block: Block, rotate: ((UnsafeMutablePointer<Float>, Int, Int, [Int]) -> Void)?, index: ChunkIndex,
        output: UnsafeMutablePointer<Float>, outputStride: Int, scratch: ScratchSpace
    ) {
        let keyWidth = geometry.keyWidth, queryWidth = geometry.queryWidth, heads = geometry.heads
        let window = settings.localWindow, rows = block.rows
        let remainder = remainderCount, previous = min(window, remainder), slice = previous + rows

        // Local slice: the `previous` remainder tokens before the block, then the block, rotated at their
        // index in the slice; the block's queries at the slice's last positions (cm.772-779).
        var localKeys = Array(remainderKeys[((remainder - previous) * keyWidth)...])
        var localValues = Array(remainderValues[((remainder - previous) * keyWidth)...])
        localKeys.reserveCapacity(slice * keyWidth)
        localValues.reserveCapacity(slice * keyWidth)
        Self.append(rows: rows, from: block.keys, stride: block.keyStride, width: keyWidth, to: &localKeys)
        Self.append(rows: rows, from: block.values, stride: block.valueStride, width: keyWidth, to: &localValues)
        var localQueries: [Float] = [], globalQueries: [Float] = []
        Self.append(rows: rows, from: block.queries, stride: block.queryStride, width: queryWidth, to: &localQueries)
        globalQueries = localQueries
        if let rotate {
            localKeys.withUnsafeMutableBufferPointer {
                rotate($0.baseAddress!, keyWidth, geometry.kvHeads, Array(0..<slice))
            }
            localQueries.withUnsafeMutableBufferPointer {
                rotate($0.baseAddress!, queryWidth, heads, Array(previous..<slice))
            }
            // Global queries at one angle, position n_local - 1 (cm.745-747); memory keys stay unrotated.
            globalQueries.withUnsafeMutableBufferPointer {
                rotate($0.baseAddress!, queryWidth, heads, Array(repeating: window - 1, count: rows))
            }
        }

        // Global part: the retrieved units, the initial tokens, and the remainder tokens at least n_local
        // before the block's last query (cm.386-451). Without memory, the initial tokens alone.
        var globalKeys: [Float] = [], globalValues: [Float] = []
        if keepsMemory {
            for unit in retrieve(globalQueries, rows: rows, index: index) {
                globalKeys += units[unit].keys
                globalValues += units[unit].values
            }
        }
        globalKeys += initialKeys
        globalValues += initialValues
        if keepsMemory {
            let oldRemainder = max(remainder + rows - window, 0) * keyWidth
            globalKeys += remainderKeys[0..<oldRemainder]
            globalValues += remainderValues[0..<oldRemainder]
        }

        var sums = [Float](repeating: 0, count: heads * slice)
        localKeys.withUnsafeBufferPointer { localKeys in
            localValues.withUnsafeBufferPointer { localValues in
                globalKeys.withUnsafeBufferPointer { globalKeys in
                    globalValues.withUnsafeBufferPointer { globalValues in
                        let keys = ExecutionBlockKeys(
                            localKeys: localKeys.baseAddress!, localValues: localValues.baseAddress!,
                            previous: previous, globalKeys: globalKeys.baseAddress ?? localKeys.baseAddress!,
                            globalValues: globalValues.baseAddress ?? localValues.baseAddress!,
                            globalCount: globalKeys.count / keyWidth)
                        InfLLMAttention.attend(
                            localQueries: localQueries, globalQueries: globalQueries, rows: rows, keys: keys,
                            localWindow: window, geometry: geometry, output: output, outputStride: outputStride,
                            localScores: &sums, scratch: scratch)
                    }
                }
            }
        }

        // The block joins the remainder; every local key adds the attention it received (cm.624-625).
        Self.append(rows: rows, from: block.keys, stride: block.keyStride, width: keyWidth, to: &remainderKeys)
        Self.append(rows: rows, from: block.values, stride: block.valueStride, width: keyWidth, to: &remainderValues)
        remainderScores += [Float](repeating: 0, count: rows * heads)
        let first = remainder - previous
        for position in 0..<slice {
            for head in 0..<heads {
                remainderScores[(first + position) * heads + head] += sums[head * slice + position]
            }
        }
        formMemory()
    }

    /// The units to load for a block whose global queries are `queries` (cm.366-383): all of them while
    /// there are at most topk, else the topk best by inner product with the block's mean query.
    private func retrieve(_ queries: [Float], rows: Int, index: ChunkIndex) -> [Int] {
        let width = geometry.queryWidth, topK = settings.topK
        guard units.count > topK else { return Array(units.indices) }
        var mean = [Float](repeating: 0, count: width)
        for row in 0..<rows {
            for column in 0..<width { mean[column] += queries[row * width + column] }
        }
        for column in 0..<width { mean[column] /= Float(rows) }
        func score(_ unit: Int) -> Float { lm_dot(mean, units[unit].key, Int64(width)) }
        var candidates: [(unit: Int, score: Float)] = []
        // Committed units come from the index (positions past the ones dropped since), newer ones are scored here.
        let hidden = min(dropped, indexed), resident = indexed - hidden
        if resident > 0 {
            let matches = index.search(
                mean, stride: width, rows: 1, queryHeads: 1, perQuery: min(topK + hidden, indexed))
            for position in matches.positions where position >= hidden {
                candidates.append((Int(position) - hidden, score(Int(position) - hidden)))
            }
        }
        for unit in resident..<units.count { candidates.append((unit, score(unit))) }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.unit < $1.unit }
        return candidates.prefix(topK).map(\.unit).sorted()
    }

    /// After a block (cm.614-679): the oldest remainder tokens complete the initial tokens, then whole
    /// units are cut while n_local tokens stay behind them; units beyond the memory size are dropped.
    /// Without memory, every token beyond the window is dropped instead of cut into units.
    private mutating func formMemory() {
        let keyWidth = geometry.keyWidth, heads = geometry.heads, window = settings.localWindow
        let blockSize = settings.blockSize
        var remainder = remainderCount, cut = 0
        if initialCount < settings.initialTokens, remainder > window {
            let take = min(settings.initialTokens - initialCount, remainder - window)
            initialKeys += remainderKeys[0..<(take * keyWidth)]
            initialValues += remainderValues[0..<(take * keyWidth)]
            cut = take
            remainder -= take
        }
        if !keepsMemory {
            // Without memory units, tokens beyond the window leave for good.
            cut += max(remainder - window, 0)
            remainder = min(remainder, window)
        }
        while keepsMemory, remainder - blockSize >= window {
            units.append(makeUnit(from: cut))
            cut += blockSize
            remainder -= blockSize
            unitTokens += blockSize
        }
        guard cut > 0 else { return }
        remainderKeys.removeFirst(cut * keyWidth)
        remainderValues.removeFirst(cut * keyWidth)
        remainderScores.removeFirst(cut * heads)
        let excess = units.count - settings.unitCapacity
        if excess > 0 {
            units.removeFirst(excess)
            dropped += excess
            droppedTokens += excess * blockSize
        }
    }

    /// The unit of remainder rows [start, start + blockSize): per query head, the mean unrotated key of the
    /// `repr_topk` tokens that head attended to most (cm.268-277, cm.664-670).
    private func makeUnit(from start: Int) -> MemoryUnit {
        let keyWidth = geometry.keyWidth, heads = geometry.heads, dim = geometry.headDim
        let blockSize = settings.blockSize, chosen = settings.representativeTokens
        let group = heads / geometry.kvHeads
        let rows = (start * keyWidth)..<((start + blockSize) * keyWidth)
        var key = [Float](repeating: 0, count: heads * dim)
        for head in 0..<heads {
            let ranked = (0..<blockSize).sorted {
                let a = remainderScores[(start + $0) * heads + head], b = remainderScores[(start + $1) * heads + head]
                return a != b ? a > b : $0 < $1
            }
            let kvHead = head / group
            for token in ranked.prefix(chosen) {
                let offset = (start + token) * keyWidth + kvHead * dim
                for d in 0..<dim { key[head * dim + d] += remainderKeys[offset + d] }
            }
            for d in 0..<dim { key[head * dim + d] /= Float(chosen) }
        }
        return MemoryUnit(keys: Array(remainderKeys[rows]), values: Array(remainderValues[rows]), key: key)
    }

    /// Brings `index` up to date with this memory (after a pass that keeps what it wrote).
    mutating func commit(to index: ChunkIndex) {
        let hidden = min(dropped, indexed)
        index.removeOldest(hidden)
        let fresh = units[(indexed - hidden)...]
        if !fresh.isEmpty {
            let keys = fresh.flatMap(\.key)
            index.append(keys, chunks: fresh.count)
        }
        indexed = units.count
        dropped = 0
    }

    private static func append(
        rows: Int, from source: UnsafePointer<Float>, stride: Int, width: Int, to array: inout [Float]
    ) {
        for row in 0..<rows {
            array.append(contentsOf: UnsafeBufferPointer(start: source + row * stride, count: width))
        }
    }
}
