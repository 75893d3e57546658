/// One line of a run's per-sample log (`samples.jsonl`), appended as soon as the sample is scored.
public struct SampleRecord: Codable, Sendable, Equatable {
    /// Unique within the run, stable across reruns of the same command (resumption keys on it).
    public var id: String
    /// Which slice it belongs to, as in `Metric.labels` (task, seed, split, prefix_length, document, ...).
    public var labels: [String: String]
    /// SHA-256 of the sample's inputs (prompt or context and candidates), hex.
    public var inputSHA256: String
    public var prompt: String?
    public var candidates: [String]?
    /// Scores, one per candidate (or per metric); what `prediction` was chosen from.
    public var scores: [String: JSONValue]
    public var prediction: String?
    /// Correctness per metric (e.g. greedy_prefix, label_rank) or nil for perplexity samples.
    public var correct: [String: Bool]?
    /// Task-specific extras: demo indices, token counts, NLL, ...
    public var details: [String: JSONValue]
    /// What the sample cost to compute (nil in logs written before costs were recorded).
    public var cost: SampleCost?

    enum CodingKeys: String, CodingKey {
        case id, labels, inputSHA256 = "input_sha256", prompt, candidates, scores, prediction, correct, details, cost
    }

    public init(
        id: String, labels: [String: String], inputSHA256: String, prompt: String? = nil, candidates: [String]? = nil,
        scores: [String: JSONValue] = [:], prediction: String? = nil, correct: [String: Bool]? = nil,
        details: [String: JSONValue] = [:], cost: SampleCost? = nil
    ) {
        self.id = id
        self.labels = labels
        self.inputSHA256 = inputSHA256
        self.prompt = prompt
        self.candidates = candidates
        self.scores = scores
        self.prediction = prediction
        self.correct = correct
        self.details = details
        self.cost = cost
    }
}
