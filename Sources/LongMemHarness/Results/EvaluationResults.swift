import Foundation

/// One results file per run (`results.json`), documented field by field in Reports/README.md.
/// Everything that changes a number is recorded, so two files with equal `options`, `model` and
/// `data_files` are comparable, and a report can say where each figure came from.
public struct EvaluationResults: Codable, Sendable, Equatable {
    public static let schema = "longmem-eval/results"
    public static let currentSchemaVersion = 1

    public var schema: String = EvaluationResults.schema
    public var schemaVersion: Int = EvaluationResults.currentSchemaVersion
    /// Task family: "icl", "chapterbreak", "perplexity".
    public var task: String
    /// The evaluation protocol and its version (bumped whenever a change can move a number).
    public var evaluationProtocol: ProtocolInfo
    /// Method name: "local", "memtrm", "memtrm-joint", "longmem", "infllm", ...
    public var method: String
    public var model: ModelInfo
    /// Every option that changes a number (shots, chunk size, prefix length, ...), by CLI name.
    public var options: [String: JSONValue]
    public var seeds: [Int]?
    public var dataFiles: [DataFileInfo]
    public var environment: EnvironmentInfo
    public var started: Date
    public var finished: Date
    public var wallSeconds: Double
    public var tokensProcessed: Int
    /// Memory bank counters, summed over documents / seeds (nil for methods without memory).
    public var memory: MemoryCounters?
    public var metrics: [Metric]
    /// The per-sample log beside this file (relative path).
    public var samplesFile: String
    /// Free-form remarks a reader must see next to the numbers (e.g. "untrained SideNet").
    public var notes: [String]
    /// Records in the per-sample log and the log's SHA-256 when this file was written, so that a merge can
    /// tell a log that changed since (nil in files written before they were recorded).
    public var sampleCount: Int?
    public var samplesSHA256: String?

    enum CodingKeys: String, CodingKey {
        case schema, schemaVersion = "schema_version", task, evaluationProtocol = "protocol", method, model, options
        case seeds, dataFiles = "data_files", environment, started, finished, wallSeconds = "wall_seconds"
        case tokensProcessed = "tokens_processed", memory, metrics, samplesFile = "samples_file", notes
        case sampleCount = "sample_count", samplesSHA256 = "samples_sha256"
    }

    public init(
        task: String, evaluationProtocol: ProtocolInfo, method: String, model: ModelInfo, options: [String: JSONValue],
        seeds: [Int]?, dataFiles: [DataFileInfo], environment: EnvironmentInfo, started: Date, finished: Date,
        tokensProcessed: Int, memory: MemoryCounters?, metrics: [Metric], samplesFile: String, notes: [String] = [],
        sampleCount: Int? = nil, samplesSHA256: String? = nil
    ) {
        self.task = task
        self.evaluationProtocol = evaluationProtocol
        self.method = method
        self.model = model
        self.options = options
        self.seeds = seeds
        self.dataFiles = dataFiles
        self.environment = environment
        self.started = started
        self.finished = finished
        wallSeconds = finished.timeIntervalSince(started)
        self.tokensProcessed = tokensProcessed
        self.memory = memory
        self.metrics = metrics
        self.samplesFile = samplesFile
        self.notes = notes
        self.sampleCount = sampleCount
        self.samplesSHA256 = samplesSHA256
    }
}

public struct ProtocolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int

    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }
}

public struct ModelInfo: Codable, Sendable, Equatable {
    /// The model folder's name.
    public var name: String
    public var path: String
    public var architecture: String
    /// SHA-256 of the weight file(s), hex.
    public var weightsSHA256: String

    enum CodingKeys: String, CodingKey {
        case name, path, architecture, weightsSHA256 = "weights_sha256"
    }

    public init(name: String, path: String, architecture: String, weightsSHA256: String) {
        self.name = name
        self.path = path
        self.architecture = architecture
        self.weightsSHA256 = weightsSHA256
    }
}

public struct DataFileInfo: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: Int

    public init(path: String, sha256: String, bytes: Int) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

public struct EnvironmentInfo: Codable, Sendable, Equatable {
    public var gitRevision: String?
    public var toolchain: String
    public var threads: Int
    public var blasCore: String
    public var host: String
    public var toolVersion: String

    enum CodingKeys: String, CodingKey {
        case gitRevision = "git_revision", toolchain, threads, blasCore = "blas_core", host, toolVersion =
            "tool_version"
    }

    public init(
        gitRevision: String?, toolchain: String, threads: Int, blasCore: String, host: String, toolVersion: String
    ) {
        self.gitRevision = gitRevision
        self.toolchain = toolchain
        self.threads = threads
        self.blasCore = blasCore
        self.host = host
        self.toolVersion = toolVersion
    }
}

public struct MemoryCounters: Codable, Sendable, Equatable {
    public var tokensWritten: Int
    public var tokensResident: Int
    public var tokensEvicted: Int

    enum CodingKeys: String, CodingKey {
        case tokensWritten = "tokens_written", tokensResident = "tokens_resident", tokensEvicted = "tokens_evicted"
    }

    public init(tokensWritten: Int, tokensResident: Int, tokensEvicted: Int) {
        self.tokensWritten = tokensWritten
        self.tokensResident = tokensResident
        self.tokensEvicted = tokensEvicted
    }
}

/// One number of a run, with what it is about (`labels`) and its uncertainty.
///
/// Labels say which slice of the run a metric covers: `task` (icl_sst2, ...), `seed`, `shots`,
/// `aggregate` (mean_over_seeds, std_over_seeds, average_over_tasks), `split`, `prefix_length`,
/// `bucket`, `document`, `memory_size`, `score` (sum/mean). A metric is identified by its name and labels.
public struct Metric: Codable, Sendable, Equatable {
    /// snake_case id: acc, greedy_prefix, label_rank, token_perplexity, bits_per_byte, ...
    public var name: String
    public var value: Double
    public var stderr: Double?
    /// A confidence interval [low, high] (e.g. 95% Wilson for accuracies).
    public var interval: [Double]?
    public var higherIsBetter: Bool
    /// Samples (or tokens, for perplexities) behind the number.
    public var count: Int
    public var labels: [String: String]

    enum CodingKeys: String, CodingKey {
        case name, value, stderr, interval, higherIsBetter = "higher_is_better", count, labels
    }

    public init(
        name: String, value: Double, stderr: Double? = nil, interval: [Double]? = nil, higherIsBetter: Bool, count: Int,
        labels: [String: String] = [:]
    ) {
        self.name = name
        self.value = value
        self.stderr = stderr
        self.interval = interval
        self.higherIsBetter = higherIsBetter
        self.count = count
        self.labels = labels
    }

    /// "name{key=value,...}": the identity regress and reports match metrics by.
    public var key: String {
        labels.isEmpty
            ? name : name + "{" + labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",") + "}"
    }
}
