/// Where and how one tensor of a GGUF file is stored.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml's `ne`: dimensions fastest-varying first (ne0 is the row length).
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset from the start of the file's data section.
    public let offset: Int
    /// Bytes the tensor occupies.
    public let byteCount: Int

    /// Row-major shape as torch reports it: `dimensions` reversed ([ne1, ne0] for a matrix).
    public var shape: [Int] { dimensions.reversed() }

    public var elementCount: Int { dimensions.reduce(1, *) }
}
