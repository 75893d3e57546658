import Foundation

/// Everything that defines a run before it starts (`run.json`): rerunning the same command maps to
/// the same specification, which is how an interrupted run is recognised and resumed.
public struct RunSpecification: Codable, Sendable, Equatable {
    public var task: String
    public var evaluationProtocol: ProtocolInfo
    public var method: String
    public var model: ModelInfo
    public var options: [String: JSONValue]
    public var seeds: [Int]?
    public var dataFiles: [DataFileInfo]
    public var shard: Shard
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case task, evaluationProtocol = "protocol", method, model, options, seeds, dataFiles = "data_files", shard,
            notes
    }

    public init(
        task: String, evaluationProtocol: ProtocolInfo, method: String, model: ModelInfo, options: [String: JSONValue],
        seeds: [Int]?, dataFiles: [DataFileInfo], shard: Shard = .whole, notes: [String] = []
    ) {
        self.task = task
        self.evaluationProtocol = evaluationProtocol
        self.method = method
        self.model = model
        self.options = options
        self.seeds = seeds
        self.dataFiles = dataFiles
        self.shard = shard
        self.notes = notes
    }

    /// The same run with every shard: what shards of one evaluation share.
    public var unsharded: RunSpecification {
        var copy = self
        copy.shard = .whole
        return copy
    }
}
