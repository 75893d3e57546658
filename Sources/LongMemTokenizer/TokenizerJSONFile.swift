import Foundation
import LongMemTensor

/// The parts of an HF `tokenizer.json` that a byte-level BPE needs: `model.vocab`, `model.merges`
/// and `added_tokens`.
///
/// Other sections (normalizer, pre_tokenizer, post_processor, decoder) are not read: this type is
/// for GPT-2-style byte-level BPE files, whose pre-tokenizer and decoder are fixed. `model.merges`
/// may be the legacy form (`"a b"` strings) or the newer one (`["a", "b"]` pairs, which
/// `tokenizers` >= 0.20 writes).
struct TokenizerJSONFile: Decodable {
    struct Model: Decodable {
        let type: String?
        let vocab: [String: Int]
        let merges: [Merge]
    }

    struct AddedToken: Decodable {
        let id: Int
        let content: String
    }

    /// One merge in either spelling; `pair` is nil when it is neither two space-separated symbols nor
    /// a two-element array (reported with its index by `rules(path:)`).
    struct Merge: Decodable {
        let pair: (String, String)?
        let raw: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                let fields = TokenizerFileReader.fields(of: text)
                pair = fields.count == 2 && !fields[0].isEmpty && !fields[1].isEmpty ? (fields[0], fields[1]) : nil
                raw = text
            } else {
                let parts = try container.decode([String].self)
                pair = parts.count == 2 ? (parts[0], parts[1]) : nil
                raw = parts.joined(separator: " ")
            }
        }
    }

    let model: Model
    let addedTokens: [AddedToken]?

    enum CodingKeys: String, CodingKey {
        case model
        case addedTokens = "added_tokens"
    }

    static func load(path: String) throws -> TokenizerJSONFile {
        let data = try TokenizerFileReader.data(at: path)
        let file: TokenizerJSONFile
        do {
            file = try JSONDecoder().decode(TokenizerJSONFile.self, from: data)
        } catch let error as DecodingError {
            throw TokenizerError.malformedTokenizerJSON(path: path, detail: error.summary(json: data))
        }
        if let type = file.model.type, type != "BPE" {
            throw TokenizerError.malformedTokenizerJSON(path: path, detail: "model.type is '\(type)', expected 'BPE'")
        }
        return file
    }

    /// The merges as rules, or an error naming the first malformed one.
    func rules(path: String) throws -> [MergesFile.Rule] {
        try model.merges.enumerated().map { index, merge in
            guard let pair = merge.pair else {
                throw TokenizerError.malformedTokenizerJSON(
                    path: path,
                    detail: "model.merges[\(index)] \(TokenizerError.quoted(merge.raw)) is not two symbols")
            }
            return MergesFile.Rule(left: pair.0, right: pair.1, line: nil)
        }
    }

    /// `added_tokens` as content -> id.
    var addedTokenIDs: [String: Int] {
        var tokens: [String: Int] = [:]
        for token in addedTokens ?? [] { tokens[token.content] = token.id }
        return tokens
    }
}
