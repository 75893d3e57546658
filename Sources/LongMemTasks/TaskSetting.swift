/// The settings of a task, named in the task layer's own terms: errors say which one is wrong and the
/// command line maps each to its option.
public enum TaskSetting: String, Sendable, CaseIterable {
    case tasks
    case shots
    case seeds
    case memoryDemonstrations = "memory demonstrations"
    case memoryChunkSize = "memory chunk size"
    case limit
    case subsample
    case examples
    case prefixLength = "prefix length"
    case suffixLength = "suffix length"
    case documents
    case tokenizer
    case window
}
