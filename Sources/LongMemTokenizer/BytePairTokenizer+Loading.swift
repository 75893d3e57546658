import Foundation

/// Loading a `BytePairTokenizer` from the three common file layouts.
extension BytePairTokenizer {
    /// Loads whichever tokenizer files `directory` holds, trying in order:
    /// 1. `tokenizer.json` (HF `tokenizers`),
    /// 2. `vocab.json` + `merges.txt` (HF transformers' slow/fast GPT-2 tokenizer files),
    /// 3. `encoder.json` + `vocab.bpe` (OpenAI / fairseq names).
    ///
    /// When one file of a pair is present and the other is not, the missing one is reported
    /// (`fileNotFound`) instead of falling through, since that is almost always an incomplete copy.
    /// - Throws: `TokenizerError.noTokenizerFiles` when none is present, or the loader's error.
    public static func load(
        directory: String,
        allowedSpecial: Bool = false,
        cacheCapacity: Int = BytePairTokenizer.defaultCacheCapacity
    ) throws -> BytePairTokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw TokenizerError.fileNotFound(path: directory)
        }
        guard isDirectory.boolValue else {
            throw TokenizerError.unreadable(path: directory, reason: "not a folder (tokenizer files are read from one)")
        }
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func present(_ name: String) -> Bool { TokenizerFileReader.exists(path(name)) }

        if present("tokenizer.json") {
            return try load(
                tokenizerJSONFile: path("tokenizer.json"), allowedSpecial: allowedSpecial, cacheCapacity: cacheCapacity)
        }
        for (vocabulary, merges) in [("vocab.json", "merges.txt"), ("encoder.json", "vocab.bpe")]
        where present(vocabulary) || present(merges) {
            return try load(
                vocabularyFile: path(vocabulary), mergesFile: path(merges),
                allowedSpecial: allowedSpecial, cacheCapacity: cacheCapacity)
        }
        throw TokenizerError.noTokenizerFiles(directory: directory)
    }

    /// Loads a JSON vocabulary (`encoder.json` or `vocab.json`) and a merge list (`vocab.bpe` or
    /// `merges.txt`); the two naming schemes hold the same formats.
    public static func load(
        vocabularyFile: String,
        mergesFile: String,
        allowedSpecial: Bool = false,
        cacheCapacity: Int = BytePairTokenizer.defaultCacheCapacity
    ) throws -> BytePairTokenizer {
        let vocabulary = try VocabularyFile.load(path: vocabularyFile)
        let rules = try MergesFile.load(path: mergesFile)
        return try BytePairTokenizer(
            vocabulary: vocabulary, vocabularySource: vocabularyFile,
            mergeRules: rules, mergesSource: mergesFile,
            specialTokens: [:], allowedSpecial: allowedSpecial, cacheCapacity: cacheCapacity)
    }

    /// Loads an HF `tokenizer.json` with a BPE model: `model.vocab`, `model.merges` (either
    /// spelling) and `added_tokens` (which become `specialTokens`).
    public static func load(
        tokenizerJSONFile path: String,
        allowedSpecial: Bool = false,
        cacheCapacity: Int = BytePairTokenizer.defaultCacheCapacity
    ) throws -> BytePairTokenizer {
        let file = try TokenizerJSONFile.load(path: path)
        return try BytePairTokenizer(
            vocabulary: file.model.vocab, vocabularySource: path,
            mergeRules: try file.rules(path: path), mergesSource: path,
            specialTokens: file.addedTokenIDs, allowedSpecial: allowedSpecial, cacheCapacity: cacheCapacity)
    }
}
