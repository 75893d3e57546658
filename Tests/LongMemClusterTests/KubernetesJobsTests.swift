import Foundation
import LongMemCluster
import LongMemTestSupport
import Testing

@Suite("Kubernetes manifests: snapshots, valid YAML with the required fields, arguments passed unchanged")
struct KubernetesJobsTests {
    static func jobs() throws -> KubernetesJobs {
        try KubernetesJobs(
            evaluation: try ClusterFixtures.evaluation(runFolder: "/runs/ppl-demo"),
            image: "registry.example/longmem-eval:1.0",
            parallelism: 2, retries: 3, cpu: "4", memory: "6Gi")
    }

    /// What Kubernetes makes of a container argument: `$$` is `$`, `$(NAME)` the variable's value when it
    /// is defined (left as written otherwise).
    static func expanded(_ argument: String, _ variables: [String: String]) -> String {
        var result = "", rest = Substring(argument)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let next = rest[rest.index(after: dollar)...]
            if next.hasPrefix("$") {
                result += "$"
                rest = next.dropFirst()
            } else if next.hasPrefix("("), let close = next.firstIndex(of: ")"),
                let value = variables[String(next[next.index(after: next.startIndex)..<close])]
            {
                result += value
                rest = next[next.index(after: close)...]
            } else {
                result += "$"
                rest = next
            }
        }
        return result + rest
    }

    @Test("the Indexed Job and the merge Job match their snapshots")
    func snapshots() throws {
        try ClusterFixtures.check(try Self.jobs().indexedJob, snapshot: "kubernetes/shards.yaml")
        try ClusterFixtures.check(try Self.jobs().mergeJob, snapshot: "kubernetes/merge.yaml")
    }

    @Test("the Indexed Job is YAML with the required fields; pod 3 runs the exact command as shard auto/4")
    func indexedJob() throws {
        let job = try YAMLSubset.parse(try Self.jobs().indexedJob)
        #expect(job["apiVersion"]?.string == "batch/v1" && job["kind"]?.string == "Job")
        #expect(job["metadata"]?["name"]?.string == "ppl-demo")
        let spec = try #require(job["spec"])
        #expect(spec["completionMode"]?.string == "Indexed" && spec["completions"]?.int == 4)
        #expect(spec["parallelism"]?.int == 2 && spec["backoffLimitPerIndex"]?.int == 3)
        let pod = try #require(spec["template"]?["spec"])
        #expect(pod["restartPolicy"]?.string == "Never")  // backoffLimitPerIndex requires it
        let container = try #require(pod["containers"]?[0])
        #expect(container["image"]?.string == "registry.example/longmem-eval:1.0")
        let arguments = container["args"]?.items.compactMap(\.string) ?? []
        #expect(
            arguments.map { Self.expanded($0, ["JOB_COMPLETION_INDEX": "3"]) }
                == ClusterFixtures.arguments + ["--shard", "auto/4", "--output", "/runs/ppl-demo/shards/3"])
        let environment = container["env"]?.items.map { ($0["name"]?.string ?? "", $0["value"]?.string ?? "") }
        #expect(environment?.map { "\($0)=\($1)" } == ["LONGMEM_EVAL_DATA=/data", "LONGMEM_EVAL_MODELS=/models"])
        #expect(container["resources"]?["requests"]?["cpu"]?.string == "4")
        #expect(container["resources"]?["limits"]?["memory"]?.string == "6Gi")
        let mounts = container["volumeMounts"]?.items.map {
            "\($0["name"]?.string ?? ""):\($0["mountPath"]?.string ?? "")"
        }
        #expect(mounts == ["runs:/runs", "data:/data", "models:/models"])
        let claims = pod["volumes"]?.items.map {
            "\($0["name"]?.string ?? ""):\($0["persistentVolumeClaim"]?["claimName"]?.string ?? "")"
        }
        #expect(claims == ["runs:longmem-runs", "data:longmem-data", "models:longmem-models"])
    }

    @Test("the merge Job merges every shard into the run folder (init container), then reports")
    func mergeJob() throws {
        let job = try YAMLSubset.parse(try Self.jobs().mergeJob)
        #expect(job["kind"]?.string == "Job" && job["metadata"]?["name"]?.string == "ppl-demo-merge")
        let pod = try #require(job["spec"]?["template"]?["spec"])
        let merge = pod["initContainers"]?[0]?["args"]?.items.compactMap(\.string)
        #expect(merge == ["merge"] + (0..<4).map { "/runs/ppl-demo/shards/\($0)" } + ["--output", "/runs/ppl-demo"])
        let report = pod["containers"]?[0]?["args"]?.items.compactMap(\.string)
        #expect(report == ["report", "/runs/ppl-demo", "--out", "/runs/ppl-demo/report"])
        #expect(pod["volumes"]?.items.count == 1 && pod["restartPolicy"]?.string == "Never")
    }

    @Test("strings YAML would read as something else stay strings")
    func quoting() throws {
        let tricky = [
            "true", "123", "null", "~", "- item", "key: value", "# comment", "a\"b", "back\\slash", "tab\tnew\nline",
            "\u{7F}\u{85}\u{FEFF}", "日本 😀", "", "{a: b}", "*anchor", "&x", "!tag", "%directive", "@at", "`tick`",
        ]
        let node = YAMLNode.mapping([("items", .sequence(tricky.map(YAMLNode.string))), ("empty", .sequence([]))])
        let parsed = try YAMLSubset.parse(node.document)
        #expect(parsed["items"]?.items.compactMap(\.string) == tricky)
        #expect(parsed["empty"] == .sequence([]))
    }

    @Test("settings Kubernetes cannot take are refused with one line naming them")
    func refused() throws {
        func make(
            runFolder: String = "/runs/x", image: String = "i", cpu: String? = nil, claim: String = "c"
        ) -> String? {
            ClusterFixtures.refusal {
                _ = try KubernetesJobs(
                    evaluation: try ClusterFixtures.evaluation(runFolder: runFolder), image: image, cpu: cpu,
                    claims: .init(runs: claim))
            }
        }
        #expect(make() == nil && make(cpu: "500m") == nil && make(cpu: "1.5") == nil)
        #expect(
            make(runFolder: "/shared/x")
                == "run folder: /shared/x is not on the runs volume (under /runs/), so the pods would lose it")
        #expect(make(image: "my image") == "image: my image is not an image reference")
        #expect(make(cpu: "two") == "CPU request: two is not a Kubernetes quantity (like 2, 500m, 4Gi)")
        #expect(
            make(claim: "Runs_Claim")
                == "volume claim: Runs_Claim is not a Kubernetes name (lowercase letters, digits, - and .)")
    }
}
