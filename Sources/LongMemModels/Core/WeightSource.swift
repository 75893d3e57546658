import LongMemTensor

/// A named collection of tensors on disk (safetensors, GGUF), read one tensor at a time.
public protocol WeightSource: AnyObject {
    var path: String { get }
    var tensorNames: [String] { get }
    func shape(of name: String) -> [Int]?
    func tensor(_ name: String) throws -> Tensor
}

extension SafeTensorsFile: WeightSource {
    public var tensorNames: [String] { names }
    public func shape(of name: String) -> [Int]? { entries[name]?.shape }
}

extension SafeTensorsFile {
    /// Opens a weight file, reporting format problems as `ModelsError.weights`.
    public static func open(_ path: String) throws -> SafeTensorsFile {
        do { return try SafeTensorsFile(path: path) } catch let error as TensorError {
            throw ModelsError.weights(error)
        }
    }
}
