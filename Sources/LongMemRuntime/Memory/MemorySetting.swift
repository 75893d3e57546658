/// The settings of a memory method, named in the runtime's own terms: errors say which one is wrong and
/// the command line maps each to its option.
public enum MemorySetting: String, Sendable, CaseIterable {
    case memorySize = "memory size"
    case chunkSize = "chunk size"
    case topK = "top-k"
    case retrievalLayer = "retrieval layer"
    case initialTokens = "initial tokens"
    case blockSize = "block size"
    case retrievedUnits = "retrieved units"
    case executionBlock = "execution block size"
    case representativeTokens = "representative tokens"
    case ivfLists = "IVF lists"
    case ivfProbes = "IVF probes"
    case segmentLength = "segment length"
    case sideNet = "SideNet"
    case prefixCache = "prefix cache"
}
