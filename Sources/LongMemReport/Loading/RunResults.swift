import LongMemHarness

/// One loaded results file and the name a report shows for it (the path as the user gave it).
///
/// The name is kept apart from the absolute path so that a report rendered from the same files in another
/// checkout is byte-identical: nothing machine-specific enters the output unless the user typed it.
public struct RunResults: Sendable, Equatable {
    public var results: EvaluationResults
    public var source: String

    public init(results: EvaluationResults, source: String) {
        self.results = results
        self.source = source
    }
}
