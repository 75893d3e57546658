/// The two Kubernetes Jobs of a sharded evaluation:
/// - an Indexed Job (`completionMode: Indexed`): pod i runs shard i (`--shard auto/n` reads
///   `JOB_COMPLETION_INDEX`) into `<run folder>/shards/i`; a failed pod is retried for its index alone
///   (`backoffLimitPerIndex`, Kubernetes 1.29 and later) and resumes from the shard's samples;
/// - a merge Job, applied once the first has completed: `merge` (an init container), then `report`.
/// Both mount the same volume claims: runs (read-write), data and models (read-only).
public struct KubernetesJobs: Sendable {
    public struct Claims: Sendable {
        public var runs: String
        public var data: String
        public var models: String

        public init(runs: String = "longmem-runs", data: String = "longmem-data", models: String = "longmem-models") {
            self.runs = runs
            self.data = data
            self.models = models
        }
    }

    /// Where the volumes are mounted, as the image declares them (Containerfile's VOLUMEs).
    public static let runsMount = "/runs", dataMount = "/data", modelsMount = "/models"

    public let evaluation: ShardedEvaluation
    public let image: String
    public let parallelism: Int
    public let retries: Int
    /// What each pod requests, as Kubernetes quantities; `memory` is also its limit.
    public let cpu: String?
    public let memory: String?
    public let claims: Claims

    public init(
        evaluation: ShardedEvaluation, image: String, parallelism: Int? = nil, retries: Int = 2, cpu: String? = nil,
        memory: String? = nil, claims: Claims = Claims()
    ) throws(ClusterError) {
        try ClusterError.require(
            evaluation.runFolder.hasPrefix(Self.runsMount + "/"), .runFolder,
            "\(evaluation.runFolder) is not on the runs volume (under \(Self.runsMount)/), so the pods would lose it")
        try ClusterError.require(
            !image.isEmpty && !image.contains { $0.isWhitespace }, .image, "\(image) is not an image reference")
        try ClusterError.require((parallelism ?? 1) >= 1, .parallelism, "must be at least 1 (got \(parallelism ?? 0))")
        try ClusterError.require(retries >= 0, .retries, "must be 0 or more (got \(retries))")
        for (quantity, setting) in [(cpu, ClusterSetting.cpuRequest), (memory, .memory)] {
            guard let quantity else { continue }
            try ClusterError.require(
                Self.isQuantity(quantity), setting, "\(quantity) is not a Kubernetes quantity (like 2, 500m, 4Gi)")
        }
        for claim in [claims.runs, claims.data, claims.models] {
            try ClusterError.require(
                !claim.isEmpty && claim.count <= 253
                    && claim.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-.".contains($0) },
                .claim, "\(claim) is not a Kubernetes name (lowercase letters, digits, - and .)")
        }
        self.evaluation = evaluation
        self.image = image
        self.parallelism = min(parallelism ?? evaluation.shards, evaluation.shards)
        self.retries = retries
        self.cpu = cpu
        self.memory = memory
        self.claims = claims
    }

    /// The Indexed Job: one pod per shard.
    public var indexedJob: String {
        let n = evaluation.shards
        let output = Self.literal(evaluation.runFolder) + "/shards/$(JOB_COMPLETION_INDEX)"
        let arguments = evaluation.arguments.map(Self.literal) + ["--shard", "auto/\(n)", "--output", output]
        var container: [(String, YAMLNode)] = [
            ("name", .string("shard")), ("image", .string(image)), ("args", .sequence(arguments.map(YAMLNode.string))),
            ("env", environment),
        ]
        var requests: [(String, YAMLNode)] = [], limits: [(String, YAMLNode)] = []
        if let cpu { requests.append(("cpu", .string(cpu))) }
        if let memory {
            requests.append(("memory", .string(memory)))
            limits.append(("memory", .string(memory)))
        }
        if !requests.isEmpty {
            container.append(
                (
                    "resources",
                    .mapping(
                        [("requests", .mapping(requests))] + (limits.isEmpty ? [] : [("limits", .mapping(limits))]))
                ))
        }
        container.append(("volumeMounts", .sequence(mounts(data: true))))
        let spec: [(String, YAMLNode)] = [
            ("completionMode", .string("Indexed")), ("completions", .int(n)), ("parallelism", .int(parallelism)),
            ("backoffLimitPerIndex", .int(retries)),
            ("template", pod(containers: [("containers", .sequence([.mapping(container)]))], data: true)),
        ]
        return header(
            "\(evaluation.name) as an Indexed Job of \(n) shards: pod i runs shard i into \(evaluation.runFolder)/shards/i."
        ) + job(name: evaluation.name, spec: spec).document
    }

    /// Merge, then report, in one pod.
    public var mergeJob: String {
        func container(_ name: String, _ arguments: [String]) -> YAMLNode {
            .mapping([
                ("name", .string(name)), ("image", .string(image)),
                ("args", .sequence(arguments.map { .string(Self.literal($0)) })),
                ("volumeMounts", .sequence(mounts(data: false))),
            ])
        }
        let spec: [(String, YAMLNode)] = [
            ("backoffLimit", .int(retries)),
            (
                "template",
                pod(
                    containers: [
                        ("initContainers", .sequence([container("merge", evaluation.mergeArguments)])),
                        ("containers", .sequence([container("report", evaluation.reportArguments)])),
                    ], data: false)
            ),
        ]
        return header(
            "merges the \(evaluation.shards) shards of \(evaluation.name) into \(evaluation.runFolder) and writes its report; "
                + "apply once \(evaluation.name) has completed."
        ) + job(name: evaluation.name + "-merge", spec: spec).document
    }

    func job(name: String, spec: [(String, YAMLNode)]) -> YAMLNode {
        .mapping([
            ("apiVersion", .string("batch/v1")), ("kind", .string("Job")),
            ("metadata", .mapping([("name", .string(name)), ("labels", labels)])), ("spec", .mapping(spec)),
        ])
    }

    func pod(containers: [(String, YAMLNode)], data: Bool) -> YAMLNode {
        var volumes: [YAMLNode] = [volume("runs", claims.runs)]
        if data { volumes += [volume("data", claims.data), volume("models", claims.models)] }
        return .mapping([
            ("metadata", .mapping([("labels", labels)])),
            ("spec", .mapping([("restartPolicy", .string("Never"))] + containers + [("volumes", .sequence(volumes))])),
        ])
    }

    var labels: YAMLNode {
        .mapping([
            ("app.kubernetes.io/name", .string("longmem-eval")),
            ("app.kubernetes.io/instance", .string(evaluation.name)),
        ])
    }

    /// Where the evaluation finds the data and the model cache.
    var environment: YAMLNode {
        .sequence([
            .mapping([("name", .string("LONGMEM_EVAL_DATA")), ("value", .string(Self.dataMount))]),
            .mapping([("name", .string("LONGMEM_EVAL_MODELS")), ("value", .string(Self.modelsMount))]),
        ])
    }

    func mounts(data: Bool) -> [YAMLNode] {
        var mounts: [YAMLNode] = [.mapping([("name", .string("runs")), ("mountPath", .string(Self.runsMount))])]
        if data {
            for (name, path) in [("data", Self.dataMount), ("models", Self.modelsMount)] {
                mounts.append(
                    .mapping([("name", .string(name)), ("mountPath", .string(path)), ("readOnly", .bool(true))]))
            }
        }
        return mounts
    }

    func volume(_ name: String, _ claim: String) -> YAMLNode {
        .mapping([
            ("name", .string(name)), ("persistentVolumeClaim", .mapping([("claimName", .string(claim))])),
        ])
    }

    func header(_ what: String) -> String {
        "# Generated by `longmem-eval cluster kubernetes`: \(what)\n"
    }

    /// An argument as Kubernetes must be given it to pass it on unchanged: it expands `$(NAME)` in a
    /// container's args and reads every `$$` as `$`.
    static func literal(_ argument: String) -> String { argument.replacingOccurrences(of: "$", with: "$$") }

    /// A Kubernetes quantity: a decimal number with an optional suffix (`m`, `k`, `M`, `Gi`, ...).
    static func isQuantity(_ text: String) -> Bool {
        let suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E", ""]
        guard let suffix = suffixes.first(where: { text.hasSuffix($0) }) else { return false }
        let number = text.dropLast(suffix.count).split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(number.count)
            && number.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
    }
}
