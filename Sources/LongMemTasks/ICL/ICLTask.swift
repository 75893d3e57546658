/// The five NLU classification tasks of LongMem's in-context-learning evaluation, exactly as the official
/// `eval_scripts/eval_longmem_icl.py` loads, formats and scores them.
public enum ICLTask: String, CaseIterable, Sendable, Codable {
    case sst2, mr, subj, sst5, mpqa

    /// Task id in results: icl_sst2, ...
    public var id: String { "icl_\(rawValue)" }

    /// Folder under `icl/` in the data directory (the official repository's names).
    var folder: String {
        switch self {
        case .sst2: return "SST-2"
        case .sst5: return "sst-5"
        default: return rawValue
        }
    }

    /// Demonstrations come from the train split; SST-2 and SST-5 are evaluated on dev, the others on test.
    var trainFile: String {
        switch self {
        case .sst2: return "train.tsv"
        case .sst5: return "stsa.fine.train"
        default: return "train.csv"
        }
    }

    var evaluationFile: String {
        switch self {
        case .sst2: return "dev.tsv"
        case .sst5: return "stsa.fine.dev"
        default: return "test.csv"
        }
    }

    /// "Review: {x} Sentiment: {y}. " (Subj: "Input: {x} Type: {y}. ").
    var template: (prefix: String, infix: String) {
        self == .subj ? ("Input: ", " Type:") : ("Review: ", " Sentiment:")
    }

    /// Label words by label id.
    public var labelWords: [String] {
        switch self {
        case .sst2, .mr, .mpqa: return ["negative", "positive"]
        case .sst5: return ["terrible", "bad", "okay", "good", "great"]
        case .subj: return ["subjective", "objective"]
        }
    }

    /// A demonstration: the template filled with text and label word, ending with ". ".
    public func demonstration(text: String, label: Int) -> String {
        template.prefix + text + template.infix + " " + labelWords[label] + ". "
    }

    /// The query: the template with its last five characters (" {}. ") removed: it ends at "Sentiment:".
    public func query(text: String) -> String { template.prefix + text + template.infix }
}
