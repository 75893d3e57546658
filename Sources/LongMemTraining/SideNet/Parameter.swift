import LongMemTensor

/// A trainable tensor, its gradient, and the name it is saved under (the runtime's SideNet names).
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    init(_ name: String, _ value: Tensor) {
        self.name = name
        self.value = value
        gradient = Tensor(zeros: value.shape)
    }

    /// A new parameter holding a copy of `value`.
    convenience init(_ name: String, copying value: Tensor) { self.init(name, value.copy()) }

    /// A new parameter holding rows `rows` of a matrix (a slice of a fused q | k | v or gate | up weight).
    convenience init(_ name: String, rows: Range<Int>, of matrix: Tensor) {
        self.init(name, matrix.rows(rows).copy())
    }
}
