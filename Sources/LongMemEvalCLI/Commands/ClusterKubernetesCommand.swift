import ArgumentParser
import Foundation
import LongMemCluster
import LongMemTensor

struct ClusterKubernetesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubernetes",
        abstract: "Write a Kubernetes Indexed Job of the shards and a merge-and-report Job.",
        discussion: """
            Writes <name>.yaml (completionMode: Indexed, one pod per shard, backoffLimitPerIndex: Kubernetes \
            1.29 or later) and <name>-merge.yaml into --out. The pods mount three volume claims: runs at /runs \
            (read-write, shared by every pod), data at /data and the model cache at /models (read-only), where \
            the image (Containerfile) expects them. Apply the first, wait for it to complete, apply the second.
            """
    )

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Container image with longmem-eval as its entrypoint (see Containerfile).")
    var image: String

    @Option(help: "Run folder in the pods, on the runs volume (default: /runs/<name>).")
    var output: String?

    @Option(help: "Pods at once (default: every shard).")
    var parallelism: Int?

    @Option(help: "Retries of a failed pod, per shard (backoffLimitPerIndex).")
    var retries: Int = 2

    @Option(help: "CPU each pod requests (a Kubernetes quantity: 2, 500m); give the evaluation the same --threads.")
    var cpu: String?

    @Option(help: "Memory each pod requests and may use (4Gi).")
    var memory: String?

    @Option(help: "Volume claim of the run folders.")
    var runsClaim = "longmem-runs"

    @Option(help: "Volume claim of the data (LONGMEM_EVAL_DATA).")
    var dataClaim = "longmem-data"

    @Option(help: "Volume claim of the model cache (LONGMEM_EVAL_MODELS).")
    var modelsClaim = "longmem-models"

    @Option(help: "Folder to write the manifests into.")
    var out = "."

    func run() throws {
        let name = cluster.jobName
        let evaluation = try cluster.evaluation(runFolder: output ?? KubernetesJobs.runsMount + "/" + name)
        let jobs = try KubernetesJobs(
            evaluation: evaluation, image: image, parallelism: parallelism, retries: retries, cpu: cpu, memory: memory,
            claims: .init(runs: runsClaim, data: dataClaim, models: modelsClaim))
        let shards = (out as NSString).appendingPathComponent(name + ".yaml")
        let merge = (out as NSString).appendingPathComponent(name + "-merge.yaml")
        try AtomicFile.write(
            [(shards, Data(jobs.indexedJob.utf8)), (merge, Data(jobs.mergeJob.utf8))], createFolder: true)
        print(shards)
        print(merge)
        let (quotedShards, quotedMerge) = (ShellWord.quoted(shards), ShellWord.quoted(merge))
        print(
            "run: kubectl apply -f \(quotedShards) && kubectl wait --for=condition=complete --timeout=168h job/\(name) "
                + "&& kubectl apply -f \(quotedMerge)")
    }
}
