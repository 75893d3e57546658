import ArgumentParser
import LongMemCluster
import LongMemData
import LongMemHarness
import LongMemRuntime
import LongMemTasks
import LongMemTraining

/// The command line's names for the settings lower layers speak of: their errors are told again with the
/// option a user typed.
enum CommandLineNames {
    static func option(_ setting: MemorySetting) -> String {
        switch setting {
        case .memorySize: "--memory-size"
        case .chunkSize: "--chunk-size"
        case .topK: "--top-k"
        case .retrievalLayer: "--retrieval-layer"
        case .initialTokens: "--n-init"
        case .blockSize: "--block-size"
        case .retrievedUnits: "--topk"
        case .executionBlock: "--exc-block-size"
        case .representativeTokens: "--repr-topk"
        case .ivfLists: "--ivf-lists"
        case .ivfProbes: "--ivf-probes"
        case .segmentLength: "--window"
        case .sideNet: "SideNet"
        case .prefixCache: "prefix cache"
        }
    }

    static func option(_ setting: TaskSetting) -> String {
        switch setting {
        case .tasks: "--tasks"
        case .shots: "--shots"
        case .seeds: "--seeds"
        case .memoryDemonstrations: "--memory-demos"
        case .memoryChunkSize: "--chunk-size"
        case .limit: "--limit"
        case .subsample: "--subsample"
        case .examples: "--file"
        case .prefixLength: "--prefix-length"
        case .suffixLength: "--suffix-length"
        case .documents: "--files/--dataset"
        case .tokenizer: "--tokenizer"
        case .window: "--window"
        }
    }

    static func option(_ setting: ClusterSetting) -> String {
        switch setting {
        case .command: "the evaluation after --"
        case .shards: "--shards"
        case .name: "--name"
        case .runFolder: "--output"
        case .workingDirectory: "the current folder"
        case .executable: "--executable"
        case .partition: "--partition"
        case .cpus: "--cpus-per-task"
        case .cpuRequest: "--cpu"
        case .memory: "--memory"
        case .parallelism: "--parallelism"
        case .time: "--time"
        case .arrayLimit: "--array-limit"
        case .retries: "--retries"
        case .image: "--image"
        case .claim: "--runs-claim/--data-claim/--models-claim"
        }
    }

    /// `error` in the command line's terms: a setting named by its option; other errors as they are.
    static func option(_ setting: TrainingSetting) -> String {
        switch setting {
        case .learningRate: "--learning-rate"
        case .steps: "--steps"
        case .segmentLength: "--segment-length"
        case .accumulation: "--accumulation"
        case .warmup: "--warmup"
        case .clipNorm: "--clip-norm"
        case .weightDecay: "--weight-decay"
        case .checkpointInterval: "--checkpoint-every"
        case .validation: "--validation-segments"
        }
    }

    static func retold(_ error: Error) -> Error {
        switch error {
        case RuntimeError.invalidSetting(let setting, let detail):
            return Message(option(setting) + ": " + detail)
        case RuntimeError.unsupportedMethod(let method, let architecture):
            return Message("--method \(method) is not available for \(architecture) backbones")
        case TasksError.invalidSetting(let setting, let detail):
            return Message(option(setting) + ": " + detail)
        case TrainingError.invalidSetting(let setting, let detail):
            return Message(option(setting) + ": " + detail)
        case ClusterError.invalidSetting(let setting, let detail):
            return Message(option(setting) + ": " + detail)
        case HarnessError.differentRun(let path, let detail):
            return Message("\(path): holds a different run (\(detail)); use another --output or --fresh")
        case HarnessError.locked(let path, let holder):
            return Message("\(path): in use by another run (\(holder)); wait for it to end or use another --output")
        case HarnessError.outputInShard(let path, let shard):
            return Message("--output \(path): is shard folder \(shard) or inside it; merge into a folder of its own")
        case HarnessError.invalidShard(let text):
            return Message("--shard \(text): expected i/n with 0 <= i < n, auto or auto/n")
        case HarnessError.schedulerShard(let spec, let detail):
            return Message("--shard \(spec): \(detail)")
        default:
            return error
        }
    }

    /// Runs a check inside `validate()`, so that its failure reads as an option error.
    static func retelling(_ check: () throws -> Void) throws {
        do { try check() } catch {
            let told = retold(error)
            throw told is Message ? ValidationError(String(describing: told)) : error
        }
    }

    /// An error already worded for the command line.
    struct Message: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
