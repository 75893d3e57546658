/// The settings of a cluster run, named in this target's own terms: errors say which one is wrong and the
/// command line maps each to its option.
public enum ClusterSetting: String, Sendable, CaseIterable {
    case command = "evaluation command"
    case shards = "shard count"
    case name = "job name"
    case runFolder = "run folder"
    case workingDirectory = "working directory"
    case executable = "executable"
    case partition = "partition"
    case cpus = "CPUs per task"
    case cpuRequest = "CPU request"
    case memory = "memory"
    case parallelism = "parallelism"
    case time = "time limit"
    case arrayLimit = "array limit"
    case retries = "retries"
    case image = "image"
    case claim = "volume claim"
}
