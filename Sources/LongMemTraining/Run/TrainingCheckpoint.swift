import Foundation
import LongMemTensor

/// A resumable point of a run: `checkpoints/step-NNNNNN/` holds the SideNet, the optimizer's moments and
/// `state.json`; `checkpoints/latest` names the newest complete one. A checkpoint folder is written in full
/// before `latest` moves to it (atomically), so a kill at any moment leaves the last good one in place.
struct TrainingCheckpoint {
    struct State: Codable, Equatable {
        var step: Int
        var tokens: Int
        var wallSeconds: Double
    }

    let folder: String
    var root: String { folder + "/checkpoints" }
    var pointer: String { root + "/latest" }

    /// The newest checkpoint's folder, or nil when the run has none yet.
    func latest() throws -> String? {
        guard FileManager.default.fileExists(atPath: pointer) else { return nil }
        let name = try String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.hasPrefix("step-"), !name.contains("/") else {
            throw TrainingError.incompatibleCheckpoint(path: pointer, detail: "does not name a checkpoint folder")
        }
        return root + "/" + name
    }

    func save(state: State, sideNet: TrainableSideNet, optimizer: AdamW) throws {
        let name = String(format: "step-%06d", state.step), path = root + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try sideNet.save(to: path + "/sidenet.safetensors")
        try SafeTensorsWriter.write(
            optimizer.state, metadata: ["step": String(optimizer.step)], to: path + "/optimizer.safetensors")
        try AtomicFile.write(try JSONEncoder().encode(state), to: path + "/state.json")
        let previous = try? latest()
        try AtomicFile.write(name + "\n", to: pointer)
        if let previous, previous != path { try? FileManager.default.removeItem(atPath: previous) }
    }

    /// Restores the SideNet and optimizer from `path`, checking every name and shape before changing anything.
    func restore(from path: String, sideNet: TrainableSideNet, optimizer: AdamW) throws -> State {
        let statePath = path + "/state.json"
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(contentsOf: URL(fileURLWithPath: statePath)))
        } catch {
            throw TrainingError.incompatibleCheckpoint(
                path: statePath, detail: "unreadable (\(error.localizedDescription))")
        }
        let optimizerPath = path + "/optimizer.safetensors"
        let file = try SafeTensorsFile.open(optimizerPath)
        var tensors: [String: Tensor] = [:]
        for parameter in sideNet.parameters {
            for name in ["adam.m." + parameter.name, "adam.v." + parameter.name] {
                guard file.entries[name]?.shape == parameter.value.shape else {
                    throw TrainingError.incompatibleCheckpoint(
                        path: optimizerPath, detail: "has no \(name) of shape \(parameter.value.shape)")
                }
                tensors[name] = try file.tensor(name)
            }
        }
        guard file.metadata["step"] == String(state.step) else {
            throw TrainingError.incompatibleCheckpoint(path: optimizerPath, detail: "is not at step \(state.step)")
        }
        try sideNet.load(from: path + "/sidenet.safetensors")
        optimizer.restore(step: state.step, tensors: tensors)
        return state
    }
}
