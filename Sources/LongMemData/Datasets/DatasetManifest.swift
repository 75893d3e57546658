import Foundation
import LongMemTensor

/// Every file the harness knows about: its place in the data directory, its dataset, size, SHA-256 and
/// canonical URL.
///
/// The single source of truth is `Datasets/manifest.json` in the repository, generated from the shared data
/// directory and its provenance notes by `Scripts/make_dataset_manifest.py`. The same script writes
/// `EmbeddedManifest.swift`, so the binary knows the manifest without the repository (a test keeps the two
/// byte-identical).
public struct DatasetManifest: Codable, Equatable, Sendable {
    public let version: Int
    public let description: String?
    public let files: [DatasetFile]

    public init(version: Int = 1, description: String? = nil, files: [DatasetFile]) {
        self.version = version
        self.description = description
        self.files = files
    }

    /// The manifest compiled into the binary.
    public static let embedded: DatasetManifest = {
        // The embedded text is generated and checked against Datasets/manifest.json by a test, so a decoding
        // failure here is a build defect, not bad input.
        do { return try DatasetManifest(json: Data(embeddedJSON.utf8), source: "EmbeddedManifest.swift") } catch {
            preconditionFailure("\(error)")
        }
    }()

    /// The exact text of the embedded manifest (what `Datasets/manifest.json` holds).
    public static var embeddedJSON: String { EmbeddedManifest.json }

    /// Decodes manifest JSON; `source` names it in errors.
    public init(json: Data, source: String) throws(DataError) {
        do {
            self = try JSONDecoder().decode(DatasetManifest.self, from: json)
        } catch let error as DecodingError {
            throw DataError.malformedManifest(source: source, reason: Self.describe(error))
        } catch {
            throw DataError.malformedManifest(source: source, reason: "\(error)")
        }
        var seen = Set<String>()
        for file in files where !seen.insert(file.path).inserted {
            throw DataError.malformedManifest(source: source, reason: "\(file.path) is listed twice")
        }
    }

    /// Reads a manifest file.
    public init(contentsOfFile path: String) throws(DataError) {
        let data: Data
        do { data = try RegularFile.read(path) } catch {
            throw DataError.malformedManifest(source: path, reason: "cannot read: \(error.problem)")
        }
        try self.init(json: data, source: path)
    }

    /// The dataset names, sorted.
    public var datasetNames: [String] { Array(Set(files.map(\.dataset))).sorted() }

    /// The files of the named datasets, in manifest order; no names means every file.
    ///
    /// A name selects the dataset of that name and the datasets below it: `icl` selects `icl` (its
    /// provenance note) and `icl/sst2`, `icl/mr`, ...; `longtext` selects `longtext/pg22` and the others.
    public func files(in names: [String]) throws(DataError) -> [DatasetFile] {
        guard !names.isEmpty else { return files }
        var selected = Set<String>()
        for name in names {
            let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
            let matches = datasetNames.filter { $0 == trimmed || $0.hasPrefix(trimmed + "/") }
            guard !matches.isEmpty else { throw DataError.unknownDataset(name: name, known: datasetNames) }
            selected.formUnion(matches)
        }
        return files.filter { selected.contains($0.dataset) }
    }

    /// One-line reason of a JSON decoding error with the key path where it happened.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(context.debugDescription) (at \(path(context)))"
        @unknown default: return "\(error)"
        }
    }
}
