/// Chunks retrieved for every query row and head: positions in the memory, 0 = oldest chunk.
public struct ChunkMatches: Sendable {
    public let rows: Int
    public let heads: Int
    /// Chunks asked for per query and head.
    public let perQuery: Int
    /// (rows, heads, perQuery) positions, best first; -1 where the memory holds fewer chunks.
    public var positions: [Int32]
}

/// Chunk-level retrieval over one index per key head (as LongMem's sixteen faiss indices): each chunk
/// is represented by the mean of its tokens' keys and found by inner product with the query.
public protocol ChunkIndex: AnyObject {
    /// Key heads; query heads map onto them in groups (grouped-query attention).
    var heads: Int { get }
    var dimension: Int { get }
    /// Chunks held (the same for every head).
    var count: Int { get }
    /// Bytes of resident index data.
    var residentBytes: Int { get }

    /// Appends `chunks` mean keys per head, given as (chunks, heads, dimension).
    func append(_ means: UnsafePointer<Float>, chunks: Int)
    /// Forgets the `n` oldest chunks.
    func removeOldest(_ n: Int)
    func removeAll()

    /// The `perQuery` best chunks for each of `rows` queries, row-major (rows, queryHeads * dimension)
    /// with row stride `stride`; query head h searches key head h / (queryHeads / heads).
    func search(_ queries: UnsafePointer<Float>, stride: Int, rows: Int, queryHeads: Int, perQuery: Int) -> ChunkMatches
}
