/// Preallocated keys and values of every layer for incremental decoding.
///
/// - Complexity: appending T tokens is O(T * width) per layer; memory is fixed at creation:
///   2 * layers * capacity * width floats.
public final class KVCache: @unchecked Sendable {
    public let capacity: Int
    public let width: Int
    public let keys: [Tensor]  // per layer (capacity, width)
    public let values: [Tensor]
    /// Tokens already cached.
    public private(set) var count = 0

    public init(layers: Int, capacity: Int, width: Int) {
        self.capacity = capacity
        self.width = width
        keys = (0..<layers).map { _ in Tensor(zeros: [capacity, width]) }
        values = (0..<layers).map { _ in Tensor(zeros: [capacity, width]) }
    }

    /// Whether `tokens` more fit.
    public func canAppend(_ tokens: Int) -> Bool { count + tokens <= capacity }

    /// Copies `rows` keys and values into layer `layer`'s next free rows. Their row strides may differ:
    /// keys and values may come from different buffers (rotary backbones rotate keys, not values).
    public func store(
        layer: Int, keys: UnsafePointer<Float>, keyStride: Int, values: UnsafePointer<Float>, valueStride: Int,
        rows: Int
    ) {
        precondition(canAppend(rows), "KV cache overflow: \(count) + \(rows) > \(capacity)")
        let keyRows = self.keys[layer].row(count), valueRows = self.values[layer].row(count)
        for row in 0..<rows {
            (keyRows + row * width).update(from: keys + row * keyStride, count: width)
            (valueRows + row * width).update(from: values + row * valueStride, count: width)
        }
    }

    /// Marks `tokens` rows (already written at rows count ..< count + tokens) as cached.
    public func commit(_ tokens: Int) {
        precondition(canAppend(tokens), "KV cache overflow: \(count) + \(tokens) > \(capacity)")
        count += tokens
    }

    public func reset() { count = 0 }

    /// Forgets every token after the first `count` (to score another continuation of a shared prefix).
    public func rewind(to count: Int) {
        precondition((0...self.count).contains(count), "cannot rewind a cache of \(self.count) tokens to \(count)")
        self.count = count
    }
}
