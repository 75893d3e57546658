import LongMemTensor

/// A trainable tensor, its gradient, and the name it is saved under (the runtime's SideNet names).
public final class Parameter: @unchecked Sendable {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    convenience init(_ name: String, _ value: Tensor) {
        self.init(name, value: value, gradient: Tensor(zeros: value.shape))
    }

    /// A parameter over given storage (views into a fused matrix and its gradient).
    init(_ name: String, value: Tensor, gradient: Tensor) {
        self.name = name
        self.value = value
        self.gradient = gradient
    }

    /// A new parameter holding a copy of `value`.
    convenience init(_ name: String, copying value: Tensor) { self.init(name, value.copy()) }

}
