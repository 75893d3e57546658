/// Everything that can go wrong while loading tokenizer files.
///
/// Every case names the file (or, for tables passed in memory, the caller's `source` label) and, for
/// line-oriented files, the 1-based line, so that the one-line `description` is enough to find and
/// fix the problem. Messages start with the path, compiler style (`path:line: problem`).
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read or is not UTF-8 text.
    case unreadable(path: String, reason: String)
    /// `load(directory:)` found none of `tokenizer.json`, `vocab.json` + `merges.txt`,
    /// `encoder.json` + `vocab.bpe`.
    case noTokenizerFiles(directory: String)
    /// `encoder.json` / `vocab.json` (or a vocabulary passed in memory) is not an object of string to
    /// non-negative integer, or gives one id to two different tokens.
    case malformedVocabulary(path: String, detail: String)
    /// A line of `vocab.bpe` / `merges.txt` that is not exactly two symbols separated by one space.
    case malformedMergeLine(path: String, line: Int, text: String)
    /// A merge whose left or right symbol, or whose concatenation, is not a vocabulary token.
    /// `line` is nil when the merges did not come from a line-oriented file; `rank` is 0-based.
    case mergeOutOfVocabulary(path: String, line: Int?, rank: Int, merge: String, missing: String)
    /// The vocabulary lacks the byte-unicode symbol of a byte, so some inputs could not be encoded.
    case missingByteToken(path: String, byte: UInt8, token: String)
    /// `tokenizer.json` is not valid JSON or lacks/garbles `model.vocab`, `model.merges` or
    /// `added_tokens`, or describes a model other than BPE.
    case malformedTokenizerJSON(path: String, detail: String)
    /// A fairseq `dict.txt` line that is not `<symbol> <count> [#fairseq:overwrite]`, or repeats a
    /// symbol without the overwrite flag.
    case malformedDictionaryLine(path: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): file not found"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .noTokenizerFiles(let directory):
            return "\(directory): no tokenizer files (looked for tokenizer.json, vocab.json + merges.txt, "
                + "encoder.json + vocab.bpe)"
        case .malformedVocabulary(let path, let detail):
            return "\(path): malformed vocabulary: \(detail)"
        case .malformedMergeLine(let path, let line, let text):
            return "\(path):\(line): malformed merge line \(Self.quoted(text)): expected two symbols "
                + "separated by one space"
        case .mergeOutOfVocabulary(let path, let line, let rank, let merge, let missing):
            let location = line.map { "\(path):\($0)" } ?? path
            return "\(location): merge \(Self.quoted(merge)) (rank \(rank)): token \(Self.quoted(missing)) "
                + "is not in the vocabulary"
        case .missingByteToken(let path, let byte, let token):
            let hex = String(byte, radix: 16, uppercase: true)
            return
                "\(path): vocabulary has no token \(Self.quoted(token)) for byte 0x\(hex.count == 1 ? "0" : "")\(hex)"
        case .malformedTokenizerJSON(let path, let detail):
            return "\(path): malformed tokenizer.json: \(detail)"
        case .malformedDictionaryLine(let path, let line, let detail):
            return "\(path):\(line): malformed dictionary line: \(detail)"
        }
    }

    /// Quotes text for a one-line message: control characters and line breaks are escaped so a bad
    /// line cannot break the message in two.
    static func quoted(_ text: String) -> String {
        var out = "'"
        for scalar in text.unicodeScalars.prefix(80) {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator
                {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if text.unicodeScalars.count > 80 { out += "…" }
        return out + "'"
    }
}
