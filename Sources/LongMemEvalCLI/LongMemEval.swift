import ArgumentParser
import LongMemRuntime

/// `longmem-eval`: evaluate memory-augmented language models on CPU.
struct LongMemEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "longmem-eval",
        abstract: "Evaluate memory-augmented language models (LongMem and its baselines) on CPU.",
        discussion: """
            --model takes a folder (config.json + model.safetensors + tokenizer files, or one .gguf file) \
            or a catalog name (`longmem-eval models list`). Methods: \
            \(MethodKind.allCases.map(\.rawValue).joined(separator: ", ")). Data: --data-dir or \
            $LONGMEM_EVAL_DATA. OpenBLAS's AVX-512 kernels are selected automatically where the CPU has them \
            (LONGMEM_EVAL_OPENBLAS_AUTO=0 keeps OpenBLAS's own choice).
            """,
        subcommands: [
            ICLCommand.self, ChapterBreakCommand.self, PerplexityCommand.self, ReportCommand.self, RegressCommand.self,
            MergeCommand.self, TrainCommand.self, ClusterCommand.self,
            DatasetsCommand.self, ModelsCommand.self, TokenizeCommand.self, LogprobsCommand.self, BenchCommand.self,
        ]
    )

    /// ArgumentParser's entry point, with lower layers' errors told in the command line's option names.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: CommandLineNames.retold(error))
        }
    }
}
