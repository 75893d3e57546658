import Foundation
import LongMemRuntime
import LongMemTensor

/// Writes a `model_type: longmem-sidenet` folder (config.json + sidenet.safetensors) that `--model`
/// accepts with `--method longmem` (the runtime's MethodLoader reads it).
public enum TrainedModelFolder {
    public static func write(
        _ sideNet: TrainableSideNet, backbone: BackboneReference, memory: MemoryConfiguration,
        provenance: TrainingProvenance, to folder: String
    ) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try sideNet.save(to: folder + "/sidenet.safetensors")
        let configuration = SideNetFolderConfiguration(
            backbone: backbone, sidenet_layers: sideNet.layerCount, memory_layer: sideNet.memoryLayer, memory: memory,
            final_norm: sideNet.hasFinalNorm, training: provenance)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(configuration), to: folder + "/config.json")
    }
}
