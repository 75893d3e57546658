import CLongMemKernels
import LongMemTensor

/// LongMem's cached memory (official `dynamic_memory_with_chunk.py`): per key head, the keys and values
/// of past tokens in chunks of `chunkSize`, stored as Float16 by default (half the memory of Float32:
/// 65,536 tokens x 16 heads x 64 dimensions of keys and values take 256 MiB), plus a chunk index of
/// Float32 mean keys.
///
/// Writes follow the official `add_index`: a segment's trailing tokens beyond whole chunks are dropped,
/// and when the new chunks would fill the bank (`count + new >= capacity`), the oldest
/// `2 * segmentTokens / chunkSize` chunks (two segments' worth) are evicted first. Storage is a ring, so
/// eviction moves nothing.
/// - Complexity: `write` is O(tokens * heads * dimension); `retrieve` is the index's search.
public final class MemoryBank: @unchecked Sendable {
    public let configuration: MemoryConfiguration
    public let heads: Int
    public let dimension: Int
    public let index: ChunkIndex
    public private(set) var statistics = MemoryStatistics()
    /// Chunks held and the physical slot of the oldest one.
    public private(set) var count = 0
    private var start = 0
    let keys: UnsafeMutableRawPointer  // (heads, capacity, chunk, dimension) of `precision`
    let values: UnsafeMutableRawPointer

    public init(configuration: MemoryConfiguration, heads: Int, dimension: Int, index: ChunkIndex? = nil) {
        self.configuration = configuration
        self.heads = heads
        self.dimension = dimension
        let capacity = configuration.capacityChunks
        self.index = index ?? configuration.index.make(heads: heads, dimension: dimension, capacity: capacity)
        let bytes = heads * capacity * configuration.chunkSize * dimension * configuration.precision.byteWidth
        keys = .allocate(byteCount: bytes, alignment: 64)
        values = .allocate(byteCount: bytes, alignment: 64)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    public var isEmpty: Bool { count == 0 }
    public var capacity: Int { configuration.capacityChunks }
    /// Elements between consecutive chunk slots of one head.
    var slotStride: Int { configuration.chunkSize * dimension }
    var headStride: Int { capacity * slotStride }
    var isHalf: Bool { configuration.precision == .float16 }

    /// Keys and values of head `head`, for the attention kernel.
    func storage(head: Int) -> (keys: UnsafeRawPointer, values: UnsafeRawPointer) {
        let offset = head * headStride * configuration.precision.byteWidth
        return (UnsafeRawPointer(keys + offset), UnsafeRawPointer(values + offset))
    }

    /// Bytes of the stored keys and values (pages count as resident once written).
    public var storageBytes: Int { 2 * heads * headStride * configuration.precision.byteWidth }

    public func reset() {
        count = 0
        start = 0
        index.removeAll()
        statistics = MemoryStatistics()
    }

    /// Appends a segment's keys and values, (tokens, heads * dimension) rows with the given strides.
    public func write(
        keys newKeys: UnsafePointer<Float>, keyStride: Int, values newValues: UnsafePointer<Float>, valueStride: Int,
        tokens: Int
    ) {
        let chunk = configuration.chunkSize
        let newChunks = tokens / chunk
        if count + newChunks >= capacity {
            let evicted = min(2 * tokens / chunk, count)
            start = (start + evicted) % capacity
            count -= evicted
            index.removeOldest(evicted)
            statistics.tokensEvicted += evicted * chunk
        }
        let means = UnsafeMutablePointer<Float>.allocate(capacity: max(newChunks * heads * dimension, 1))
        defer { means.deallocate() }
        means.initialize(repeating: 0, count: newChunks * heads * dimension)
        for newChunk in 0..<newChunks {
            let slot = (start + count + newChunk) % capacity
            for token in 0..<chunk {
                let row = newChunk * chunk + token
                for head in 0..<heads {
                    let key = newKeys + row * keyStride + head * dimension
                    let offset = head * headStride + slot * slotStride + token * dimension
                    store(key, at: keys, offset: offset)
                    store(newValues + row * valueStride + head * dimension, at: values, offset: offset)
                    let mean = means + (newChunk * heads + head) * dimension
                    for d in 0..<dimension { mean[d] += key[d] }
                }
            }
        }
        // The index key of a chunk is the mean of its tokens' Float32 keys (the official code averages
        // before its keys are stored as float16).
        let inverse = 1 / Float(chunk)
        for i in 0..<(newChunks * heads * dimension) { means[i] *= inverse }
        index.append(means, chunks: newChunks)
        count += newChunks
        statistics.tokensWritten += newChunks * chunk
        statistics.tokensResident = count * chunk
    }

    /// The stored key of one token of a chunk slot, as Float32 (for inspection and tests).
    public func storedKey(head: Int, slot: Int, token: Int) -> [Float] {
        let offset = head * headStride + slot * slotStride + token * dimension
        var row = [Float](repeating: 0, count: dimension)
        if isHalf {
            lm_from_half(keys.assumingMemoryBound(to: UInt16.self) + offset, &row, Int64(dimension))
        } else {
            row.withUnsafeMutableBufferPointer {
                $0.baseAddress!.update(from: keys.assumingMemoryBound(to: Float.self) + offset, count: dimension)
            }
        }
        return row
    }

    /// Writes one row of `dimension` floats at element `offset` of `base`, rounded to the store's precision.
    private func store(_ row: UnsafePointer<Float>, at base: UnsafeMutableRawPointer, offset: Int) {
        if isHalf {
            lm_to_half(row, base.assumingMemoryBound(to: UInt16.self) + offset, Int64(dimension))
        } else {
            (base.assumingMemoryBound(to: Float.self) + offset).update(from: row, count: dimension)
        }
    }

    /// Physical slots of the chunks retrieved for each query row and query head.
    public func retrieve(_ queries: UnsafePointer<Float>, stride: Int, rows: Int, queryHeads: Int) -> RetrievedChunks {
        let perQuery = configuration.chunksPerQuery
        let matches = index.search(queries, stride: stride, rows: rows, queryHeads: queryHeads, perQuery: perQuery)
        let capacity = self.capacity, start = self.start
        let slots = matches.positions.map { $0 < 0 ? -1 : Int32((start + Int($0)) % capacity) }
        return RetrievedChunks(
            rows: rows, heads: queryHeads, perQuery: perQuery, slots: slots, available: min(count, perQuery))
    }
}

/// The chunks each query reads: physical slots per (row, query head), best first.
public struct RetrievedChunks: Sendable {
    public let rows: Int
    public let heads: Int
    public let perQuery: Int
    /// (rows, heads, perQuery); only the first `available` of each query are real chunks.
    public let slots: [Int32]
    /// Chunks the memory could supply per query: perQuery unless it holds fewer.
    public let available: Int
}
