import Foundation
import LongMemData
import LongMemTestSupport
import Testing

/// The SideNet training corpus is the `train` dataset, split by whole documents, and shares no file with
/// any evaluation set.
@Suite("Training corpus: documents, validation split, disjoint from every evaluation set")
struct TrainingCorpusTests {
    /// Rows of a tab-separated manifest as dictionaries keyed by its header.
    func rows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    @Test("books and .tex files only, validation = every 20th document, no document in both")
    func split() throws {
        let corpus = try TrainingCorpus()
        let all = corpus.training + corpus.validation
        #expect(all.count == 43 + 62, "43 books and 62 .tex files (train/manifest.tsv)")
        #expect(all.allSatisfy { $0.path.hasSuffix(".txt") == $0.isBook && ($0.isBook || $0.path.hasSuffix(".tex")) })
        #expect(Set(corpus.training.map(\.path)).isDisjoint(with: corpus.validation.map(\.path)))
        #expect(corpus.validation.count == (all.count + 9) / 20)
        #expect(corpus.validation.contains { $0.isBook } && corpus.validation.contains { !$0.isBook })
    }

    @Test("no training file's SHA-256 is an evaluation file's (embedded manifest)")
    func hashes() throws {
        let files = DatasetManifest.embedded.files
        let training = Set(
            files.filter { $0.dataset.hasPrefix("train") && !$0.path.contains("LICENSE") }.compactMap(\.sha256))
        let evaluation = files.filter { !$0.dataset.hasPrefix("train") }.compactMap(\.sha256)
        #expect(training.count > 100 && evaluation.count > 50)
        #expect(training.isDisjoint(with: evaluation))
    }

    @Test("no training book's title is an evaluation book's (the data directory's manifests)")
    func titles() throws {
        let train = FixturePaths.dataset("train/manifest.tsv"), longtext = FixturePaths.dataset("longtext/manifest.tsv")
        try #require(FileManager.default.fileExists(atPath: train) && FileManager.default.fileExists(atPath: longtext))
        let normalise = { (title: String) in title.lowercased().filter { $0.isLetter || $0.isNumber } }
        let trainingTitles = Set(
            try rows(train).filter { $0["kind"] == "book" }.compactMap { $0["title"] }.map(normalise))
        let evaluationTitles = Set(try rows(longtext).compactMap { $0["title"] }.map(normalise))
        #expect(trainingTitles.count == 43 && evaluationTitles.count > 10)
        #expect(trainingTitles.isDisjoint(with: evaluationTitles), "\(trainingTitles.intersection(evaluationTitles))")
    }
}
