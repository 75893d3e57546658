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
