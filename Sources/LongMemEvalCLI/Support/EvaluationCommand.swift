import ArgumentParser

/// The commands that run an evaluation (icl, chapterbreak, ppl): what `cluster` splits into shards.
protocol EvaluationCommand: ParsableCommand {
    var runOptions: RunOptions { get }
}

extension ICLCommand: EvaluationCommand {}
extension ChapterBreakCommand: EvaluationCommand {}
extension PerplexityCommand: EvaluationCommand {}
