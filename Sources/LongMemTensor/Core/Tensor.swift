import Foundation

/// Heap memory for tensor elements, 64-byte aligned so that vector loads never straddle cache lines.
public final class TensorStorage: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let capacity: Int

    /// `zeroed: false` leaves the contents undefined, for buffers a kernel overwrites entirely.
    public init(capacity: Int, zeroed: Bool = true) {
        precondition(capacity >= 0, "negative tensor capacity")
        var raw: UnsafeMutableRawPointer?
        let bytes = max(capacity, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        if zeroed { base.initialize(repeating: 0, count: max(capacity, 1)) }
        self.capacity = capacity
    }

    deinit { free(base) }
}

/// A dense, row-major Float32 tensor.
///
/// Tensors are handles: copies and row views share the same storage, and kernels write through
/// `data`. This is deliberate (activations are preallocated and overwritten in place); nothing
/// here has value semantics. Shapes use the legend of the model files: T tokens, C channels,
/// H heads, D head size, V vocabulary.
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public let data: UnsafeMutablePointer<Float>
    public let storage: TensorStorage

    /// A zero-filled tensor.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let storage = TensorStorage(capacity: shape.reduce(1, *))
        self.init(shape: shape, data: storage.base, storage: storage)
    }

    /// A tensor whose elements are undefined until written (for outputs a kernel fills entirely).
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        let storage = TensorStorage(capacity: shape.reduce(1, *), zeroed: false)
        self.init(shape: shape, data: storage.base, storage: storage)
    }

    /// A tensor holding `values` in row-major order.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(uninitialized: shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    public init(shape: [Int], data: UnsafeMutablePointer<Float>, storage: TensorStorage) {
        self.shape = shape
        self.data = data
        self.storage = storage
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// Leading dimension: the number of rows of the tensor seen as a matrix.
    public var rows: Int { shape.count <= 1 ? 1 : shape.dropLast().reduce(1, *) }
    /// Trailing dimension: the row length.
    public var columns: Int { shape.last ?? 1 }

    /// Rows `range` of the tensor seen as a (rows, columns) matrix, sharing storage.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) outside 0..<\(rows)")
        return Tensor(shape: [range.count, columns], data: data + range.lowerBound * columns, storage: storage)
    }

    /// Row `index` as a pointer to `columns` contiguous elements.
    public func row(_ index: Int) -> UnsafeMutablePointer<Float> { data + index * columns }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, data: data, storage: storage)
    }

    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// A new tensor with its own storage and the same values.
    public func copy() -> Tensor {
        let result = Tensor(uninitialized: shape)
        result.data.update(from: data, count: count)
        return result
    }

    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies `other` (same element count) into this tensor.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assigning \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }
}

extension Tensor {
    /// The rows of `parts` (same column count) one after another, in a new tensor.
    public static func stackingRows(_ parts: [Tensor]) -> Tensor {
        let columns = parts.first?.columns ?? 0
        precondition(parts.allSatisfy { $0.columns == columns }, "stacking rows of different widths")
        let result = Tensor(uninitialized: [parts.reduce(0) { $0 + $1.rows }, columns])
        var offset = 0
        for part in parts {
            (result.data + offset).update(from: part.data, count: part.rows * columns)
            offset += part.rows * columns
        }
        return result
    }

    /// Rows `indices` of this (N, C) tensor, in that order, in a new (indices.count, C) tensor: an
    /// embedding lookup.
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        let result = Tensor(uninitialized: [indices.count, columns])
        for (row, index) in indices.enumerated() { result.row(row).update(from: self.row(index), count: columns) }
        return result
    }
}
