import Foundation
import LongMemTensor

/// Reading and writing a SideNet's parameters as safetensors (the runtime's names).
extension TrainableSideNet {
    /// Writes every parameter (Float32), atomically.
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensorsWriter.write(parameters.map { ($0.name, $0.value) }, metadata: metadata, to: path)
    }

    /// Replaces every parameter with the tensor of the same name in `path` (`prefix` before the name),
    /// refusing a file that lacks one or has another shape, before anything is changed.
    public func load(from path: String, prefix: String = "") throws {
        let file = try SafeTensorsFile.open(path)
        var loaded: [(Parameter, Tensor)] = []
        for parameter in parameters {
            guard file.entries[prefix + parameter.name] != nil else {
                throw TrainingError.incompatibleCheckpoint(
                    path: path, detail: "has no tensor \(prefix + parameter.name)")
            }
            let tensor = try file.tensor(prefix + parameter.name)
            guard tensor.shape == parameter.value.shape else {
                throw TrainingError.incompatibleCheckpoint(
                    path: path,
                    detail: "\(parameter.name) is \(tensor.shape), this SideNet's is \(parameter.value.shape)")
            }
            loaded.append((parameter, tensor))
        }
        for (parameter, tensor) in loaded { parameter.value.assign(tensor) }
    }
}
