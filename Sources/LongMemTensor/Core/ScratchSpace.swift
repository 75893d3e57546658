/// Grow-only buffers for a model's intermediate activations, reused across forward passes so that a
/// forward does not page-fault fresh memory. Contents are undefined until written; a model owning a
/// `ScratchSpace` runs one forward pass at a time.
public final class ScratchSpace: @unchecked Sendable {
    private var buffers: [ScratchSlot: TensorStorage] = [:]

    public init() {}

    /// A tensor of `shape` backed by buffer `slot` (other slots never alias it).
    public func tensor(_ slot: ScratchSlot, _ shape: [Int]) -> Tensor {
        let count = shape.reduce(1, *)
        if let storage = buffers[slot], storage.capacity >= count {
            return Tensor(shape: shape, data: storage.base, storage: storage)
        }
        let storage = TensorStorage(capacity: count, zeroed: false)
        buffers[slot] = storage
        return Tensor(shape: shape, data: storage.base, storage: storage)
    }
}
