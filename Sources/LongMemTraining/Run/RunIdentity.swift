import Foundation
import LongMemRuntime
import LongMemTensor

/// What a training folder was started with (`training.json`): rerunning the same command resumes it; a
/// different configuration, backbone or corpus is refused rather than mixed into its checkpoints.
struct RunIdentity: Codable, Equatable {
    var configuration: TrainingConfiguration
    var backbone: BackboneReference
    var corpus: String
    var corpusTokens: Int
    /// FNV-1a of the token stream: the same files tokenised the same way.
    var corpusHash: String

    init(configuration: TrainingConfiguration, backbone: BackboneReference, corpus: String, tokens: [Int]) {
        self.configuration = configuration
        self.backbone = backbone
        self.corpus = corpus
        corpusTokens = tokens.count
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for token in tokens {
            hash ^= UInt64(truncatingIfNeeded: token)
            hash = hash &* 0x100_0000_01b3
        }
        corpusHash = String(hash, radix: 16)
    }

    /// Writes training.json into a new folder, or checks an existing folder's against this one.
    func claim(folder: String) throws {
        let path = folder + "/training.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard FileManager.default.fileExists(atPath: path) else {
            try AtomicFile.write(try encoder.encode(self), to: path)
            return
        }
        let existing: RunIdentity
        do {
            existing = try JSONDecoder().decode(RunIdentity.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw TrainingError.incompatibleCheckpoint(path: path, detail: "unreadable (\(error.localizedDescription))")
        }
        guard existing == self else {
            throw TrainingError.incompatibleCheckpoint(
                path: path, detail: "belongs to another run (\(difference(from: existing))); use a new folder")
        }
    }

    private func difference(from other: RunIdentity) -> String {
        if other.backbone != backbone { return "backbone \(other.backbone.name)" }
        if other.corpusHash != corpusHash { return "corpus \(other.corpus), \(other.corpusTokens) tokens" }
        return "other training settings"
    }
}
