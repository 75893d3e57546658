import Foundation
import LongMemTensor

/// Parses `encoder.json` (OpenAI) / `vocab.json` (HF): a JSON object mapping each token, in its
/// byte-unicode spelling, to its id.
enum VocabularyFile {
    static func load(path: String) throws -> [String: Int] {
        try parse(TokenizerFileReader.data(at: path), path: path)
    }

    static func parse(_ data: Data, path: String) throws -> [String: Int] {
        do {
            return try JSONDecoder().decode([String: Int].self, from: data)
        } catch let error as DecodingError {
            throw TokenizerError.malformedVocabulary(
                path: path,
                detail: "expected a JSON object of string to integer (\(error.summary(json: data)))")
        }
    }
}
