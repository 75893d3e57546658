/// Parses BPE merge lists: OpenAI's `vocab.bpe` and HF's `merges.txt` (the same format).
///
/// Format: an optional `#version: ...` line, then one rule per line, two symbols separated by a single
/// space, in rank order. Like HF's `BPE::read_file`, every line starting with `#version` is skipped,
/// and any other line that is not exactly two space-separated fields (blank lines included) is an
/// error with its line number; OpenAI's loader silently drops the first and last lines instead, which
/// hides truncated files.
enum MergesFile {
    /// One merge rule and where it came from (`line` is nil for rules passed in memory or from
    /// `tokenizer.json`).
    struct Rule: Sendable {
        let left: String
        let right: String
        let line: Int?
    }

    static func load(path: String) throws -> [Rule] {
        try parse(TokenizerFileReader.text(at: path), path: path)
    }

    static func parse(_ text: String, path: String) throws -> [Rule] {
        var rules: [Rule] = []
        rules.reserveCapacity(50_000)
        for (index, line) in TokenizerFileReader.lines(of: text).enumerated() {
            if line.hasPrefix("#version") { continue }
            let fields = TokenizerFileReader.fields(of: line)
            guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw TokenizerError.malformedMergeLine(path: path, line: index + 1, text: line)
            }
            rules.append(Rule(left: fields[0], right: fields[1], line: index + 1))
        }
        return rules
    }
}
