import Foundation

/// Where the tests find the repository, its committed fixtures and the shared data sets.
///
/// Paths are derived from this file's location (`#filePath`, with symlinks resolved so that a scratch
/// package that links this directory in still finds the repository) rather than from resources.
enum TestPaths {
    /// The repository root: this file is `<root>/Tests/LongMemTokenizerTests/TestPaths.swift`.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtureDirectory = repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizer")

    /// `$LONGMEM_EVAL_DATA`, else `../shared/datasets` beside the repository.
    static let dataDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["LONGMEM_EVAL_DATA"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    }()

    static let gpt2Directory = dataDirectory.appendingPathComponent("gpt2_bpe")
    static let encoderJSON = gpt2Directory.appendingPathComponent("encoder.json").path
    static let vocabBPE = gpt2Directory.appendingPathComponent("vocab.bpe").path
    static let dictTXT = gpt2Directory.appendingPathComponent("dict.txt").path
    static let longtextDirectory = dataDirectory.appendingPathComponent("longtext")

    /// A message for a missing data file that says how to point the tests at the data.
    static func missingDataMessage(_ path: String) -> String {
        let source =
            ProcessInfo.processInfo.environment["LONGMEM_EVAL_DATA"].map { _ in "LONGMEM_EVAL_DATA" }
            ?? "the default ../shared/datasets beside the repository"
        return "missing \(path): the tokenizer tests need the shared data sets; the data directory "
            + "\(dataDirectory.path) comes from \(source); set LONGMEM_EVAL_DATA to the datasets directory"
    }
}
