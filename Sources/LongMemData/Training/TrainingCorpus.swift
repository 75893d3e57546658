import Foundation
import LongMemHarness

/// The SideNet training corpus: the `train` dataset (Project Gutenberg books first published before 1919
/// and LaTeX sources of research papers, disjoint from every evaluation set; see train/PROVENANCE.md).
/// Books are read without their Project Gutenberg header and footer; papers' `.tex` files as they are
/// (bibliographies and licence files are left out). Whole documents are held out for validation.
public struct TrainingCorpus: Sendable {
    public struct Document: Sendable, Equatable {
        /// Relative to the data directory.
        public let path: String
        public let isBook: Bool
    }

    public let training: [Document]
    public let validation: [Document]

    /// One document in `validationEvery` (in path order) is held out: about 5% of the files.
    public static let validationEvery = 20

    /// The corpus of `manifest` (the files of dataset `train`).
    public init(manifest: DatasetManifest = .embedded) throws(DataError) {
        let documents = try manifest.files(in: ["train"]).compactMap { file -> Document? in
            let name = (file.path as NSString).lastPathComponent
            if file.path.hasPrefix("train/books/"), name.hasPrefix("pg"), name.hasSuffix(".txt") {
                return Document(path: file.path, isBook: true)
            }
            if file.path.hasPrefix("train/latex/"), name.hasSuffix(".tex") {
                return Document(path: file.path, isBook: false)
            }
            return nil
        }.sorted { $0.path < $1.path }
        let held = Set(documents.indices.filter { $0 % Self.validationEvery == Self.validationEvery / 2 })
        training = documents.indices.filter { !held.contains($0) }.map { documents[$0] }
        validation = held.sorted().map { documents[$0] }
    }

    /// A corpus of explicit files (tests, other corpora): the last `validation` of them held out.
    public init(files: [String], validation count: Int) {
        let documents = files.map { Document(path: $0, isBook: false) }
        training = Array(documents.dropLast(count))
        validation = Array(documents.suffix(count))
    }

    /// The text of `document` under `root` (errors name the file: missing, not UTF-8, empty).
    public static func text(of document: Document, root: String) throws -> String {
        let path =
            document.path.hasPrefix("/") ? document.path : (root as NSString).appendingPathComponent(document.path)
        let text = document.isBook ? try GutenbergText(contentsOfFile: path).body : try TextFile.read(path)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DataError.unreadable(path: path, reason: "holds no text")
        }
        return text
    }
}
