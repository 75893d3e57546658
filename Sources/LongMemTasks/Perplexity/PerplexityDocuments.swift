import Foundation
import LongMemData

/// Turns `--dataset` ids and `--files` into the documents to score.
public enum PerplexityDocuments {
    /// Folder (under the data directory) and file extension of each dataset id.
    static let datasets: [String: (folder: String, extensions: Set<String>)] = [
        "pg22": ("longtext/pg22_like", ["txt"]), "pg19": ("longtext/pg19_era", ["txt"]),
        "arxiv": ("longtext/arxiv", ["tex"]),
    ]

    public static var knownDatasets: [String] { datasets.keys.sorted() }

    /// Every matching file of each dataset (sorted; licence files skipped; ArXiv's \input parts are their
    /// own documents), then the explicit files.
    public static func resolve(
        datasets ids: [String], files: [String], dataDirectory: String
    ) throws -> [PerplexityDocument] {
        var documents: [PerplexityDocument] = []
        for id in ids {
            guard let (folder, extensions) = datasets[id] else {
                throw TasksError.unknownTask(id, known: knownDatasets)
            }
            let root = dataDirectory + "/" + folder
            guard let enumerator = FileManager.default.enumerator(atPath: root) else {
                throw TasksError.missingData(path: root)
            }
            let names = (enumerator.allObjects as? [String] ?? []).filter {
                extensions.contains(($0 as NSString).pathExtension)
                    && !($0 as NSString).lastPathComponent.hasPrefix("LICENSE")
            }.sorted()
            guard !names.isEmpty else { throw TasksError.missingData(path: root) }
            documents += names.map { PerplexityDocument(name: folder + "/" + $0, path: root + "/" + $0, dataset: id) }
        }
        let root = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path + "/"
        for file in files {
            // Named relative to the data directory when inside it, so results compare across machines.
            let standardized = URL(fileURLWithPath: file).standardizedFileURL.path
            let name = standardized.hasPrefix(root) ? String(standardized.dropFirst(root.count)) : file
            documents.append(PerplexityDocument(name: name, path: file, dataset: "files"))
        }
        // Before anything hashes or reads them: a FIFO must be refused here, not waited on.
        for document in documents { try TasksError.requireData(document.path) }
        return documents
    }
}
