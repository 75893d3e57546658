import ArgumentParser

/// `longmem-eval`: evaluate memory-augmented language models on CPU.
struct LongMemEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "longmem-eval",
        abstract: "Evaluate memory-augmented language models (LongMem and its baselines) on CPU.",
        discussion: """
            Models are Hugging Face-style folders (config.json, model.safetensors, tokenizer files).
            Set OPENBLAS_CORETYPE yourself to override the BLAS kernel choice.
            """,
        subcommands: [
            ICLCommand.self, ChapterBreakCommand.self, PerplexityCommand.self, ReportCommand.self, RegressCommand.self,
            MergeCommand.self,
            DatasetsCommand.self, ModelsCommand.self, TokenizeCommand.self, LogprobsCommand.self, BenchCommand.self,
        ]
    )
}
