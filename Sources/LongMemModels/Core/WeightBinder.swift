import LongMemTensor

/// Load -> sanitize -> bind (as MLX's model loaders): the file's tensor names are first mapped to the
/// model's canonical names, then each parameter is taken by name with its expected shape, and at the
/// end every tensor of the file must have been used. Missing, misshapen and unused tensors are errors.
public final class WeightBinder {
    public let source: WeightSource
    /// canonical name -> name in the file
    private var fileNames: [String: String] = [:]
    private var unused: Set<String>

    /// `sanitize` maps a file name to its canonical name, or nil to ignore it (non-parameter buffers).
    public init(source: WeightSource, sanitize: (String) -> String? = { $0 }) {
        self.source = source
        var unused = Set<String>()
        for name in source.tensorNames {
            guard let canonical = sanitize(name) else { continue }
            fileNames[canonical] = name
            unused.insert(canonical)
        }
        self.unused = unused
    }

    public func contains(_ name: String) -> Bool { fileNames[name] != nil }

    /// The parameter `name`, which must have `shape`.
    public func take(_ name: String, shape: [Int]) throws -> Tensor {
        guard let fileName = fileNames[name] else {
            throw ModelsError.weights(.missingTensor(path: source.path, tensor: name))
        }
        let found = source.shape(of: fileName) ?? []
        guard found == shape else {
            throw ModelsError.weights(
                .shapeMismatch(tensor: "\(source.path): \(fileName)", expected: shape, found: found))
        }
        unused.remove(name)
        do { return try source.tensor(fileName) } catch let error as TensorError { throw ModelsError.weights(error) }
    }

    /// The parameter `name` if the file has it, else nil.
    public func takeIfPresent(_ name: String, shape: [Int]) throws -> Tensor? {
        contains(name) ? try take(name, shape: shape) : nil
    }

    /// Fails if any tensor of the file was not bound.
    public func finish() throws {
        guard unused.isEmpty else {
            throw ModelsError.weights(
                .unusedTensors(path: source.path, tensors: unused.sorted().map { fileNames[$0] ?? $0 }))
        }
    }
}
