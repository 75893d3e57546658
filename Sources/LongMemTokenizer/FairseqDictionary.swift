/// fairseq's `Dictionary` as LongMem uses it: the map between GPT-2 BPE ids and the row indices of
/// the model's embedding matrix.
///
/// Why it exists: a fairseq/LongMem checkpoint does not index embeddings by GPT-2 id. Its `dict.txt`
/// lists GPT-2 ids (written in decimal) by descending corpus frequency; line n (0-based) is index
/// n + 4, after the four specials `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3. The real file also ends
/// with `madeupwordNNNN 0` lines that pad the vocabulary to a multiple of 8 (51,200 rows for GPT-2).
///
/// Parsing follows fairseq's `Dictionary.add_from_file`: each line is `<symbol> <count>`, split at
/// the last space after trailing whitespace is removed; a trailing `#fairseq:overwrite` flag allows a
/// symbol to repeat (encoding then uses the later index, while the earlier index still decodes); a
/// repeated symbol without the flag is an error.
public struct FairseqDictionary: Sendable {
    /// Index of `<s>`.
    public var bos: Int { 0 }
    /// Index of `<pad>`.
    public var pad: Int { 1 }
    /// Index of `</s>`, fairseq's sentence/document separator.
    public var eos: Int { 2 }
    /// Index of `<unk>`, used for GPT-2 ids the dictionary lacks.
    public var unk: Int { 3 }

    /// The symbol of every index (`symbols[0] == "<s>"`).
    public let symbols: [String]
    private let indexBySymbol: [String: Int]
    /// GPT-2 id -> index, -1 when absent.
    private let indexByGPT2ID: [Int]
    /// index -> GPT-2 id, -1 for specials and non-numeric symbols.
    private let gpt2IDByIndex: [Int]

    /// The number of indices: 4 specials + one per line.
    public var count: Int { symbols.count }

    public init(contentsOfFile path: String) throws {
        try self.init(parsing: TokenizerFileReader.text(at: path), path: path)
    }

    /// Parses `dict.txt` text; `path` names it in errors.
    public init(parsing text: String, path: String) throws {
        var symbols = ["<s>", "<pad>", "</s>", "<unk>"]
        var indexBySymbol = [String: Int]()
        for (index, symbol) in symbols.enumerated() { indexBySymbol[symbol] = index }

        for (lineIndex, line) in TokenizerFileReader.lines(of: text).enumerated() {
            let lineNumber = lineIndex + 1
            func fail(_ detail: String) -> TokenizerError {
                .malformedDictionaryLine(path: path, line: lineNumber, detail: detail)
            }
            let expected = "expected '<symbol> <count> [#fairseq:overwrite]', got \(TokenizerError.quoted(line))"
            guard var (symbol, field) = Self.splitLast(Self.trimmingTrailingWhitespace(line)) else {
                throw fail(expected)
            }
            var overwrite = false
            if field == "#fairseq:overwrite" {
                overwrite = true
                guard let split = Self.splitLast(symbol) else { throw fail(expected) }
                (symbol, field) = split
            }
            guard Int(field) != nil else { throw fail(expected) }
            if indexBySymbol[symbol] != nil && !overwrite {
                throw fail("duplicate symbol \(TokenizerError.quoted(symbol)) (add '#fairseq:overwrite' to allow it)")
            }
            indexBySymbol[symbol] = symbols.count
            symbols.append(symbol)
        }

        var gpt2IDByIndex = [Int](repeating: -1, count: symbols.count)
        var largestID = -1
        for (index, symbol) in symbols.enumerated() where index >= 4 {
            if let id = Self.gpt2ID(fromSymbol: symbol) {
                gpt2IDByIndex[index] = id
                largestID = max(largestID, id)
            }
        }
        // Encoding goes to the latest index of a symbol (fairseq's `indices` after an overwrite);
        // decoding an older index still gives its symbol's GPT-2 id (fairseq's `symbols[index]`).
        var indexByGPT2ID = [Int](repeating: -1, count: largestID + 1)
        for (index, id) in gpt2IDByIndex.enumerated() where id >= 0 { indexByGPT2ID[id] = index }

        self.symbols = symbols
        self.indexBySymbol = indexBySymbol
        self.indexByGPT2ID = indexByGPT2ID
        self.gpt2IDByIndex = gpt2IDByIndex
    }

    /// The index of a GPT-2 id, `unk` when the dictionary lacks it (as fairseq's `encode_line` does).
    public func index(forGPT2ID id: Int) -> Int {
        guard id >= 0, id < indexByGPT2ID.count, indexByGPT2ID[id] >= 0 else { return unk }
        return indexByGPT2ID[id]
    }

    /// The GPT-2 id at `index`, or nil for the four specials, `madeupword` padding and out-of-range
    /// indices.
    public func gpt2ID(forIndex index: Int) -> Int? {
        guard index >= 0, index < gpt2IDByIndex.count, gpt2IDByIndex[index] >= 0 else { return nil }
        return gpt2IDByIndex[index]
    }

    /// The index of a symbol as written in `dict.txt` (`"13"`, `"<unk>"`, `"madeupword0000"`).
    public func index(forSymbol symbol: String) -> Int? { indexBySymbol[symbol] }

    /// A GPT-2 id when `symbol` is one as fairseq writes it: `str(id)`, plain decimal digits with no
    /// sign or leading zero (`"013"` never comes out of `str`, so it cannot be looked up either).
    /// Digits at or past `BytePairTokenizer.idLimit` name no id a tokenizer can produce: a plain symbol
    /// (the id table is as long as the largest id, so "999999999" must not size it).
    private static func gpt2ID(fromSymbol symbol: String) -> Int? {
        let utf8 = symbol.utf8
        guard !utf8.isEmpty, utf8.count <= 9, utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            utf8.count == 1 || utf8.first != UInt8(ascii: "0"), let id = Int(symbol), id < BytePairTokenizer.idLimit
        else { return nil }
        return id
    }

    /// Python's `str.rsplit(" ", 1)` when it yields two parts.
    private static func splitLast(_ text: String) -> (String, String)? {
        guard let space = text.utf8.lastIndex(of: UInt8(ascii: " ")) else { return nil }
        let before = String(Substring(text.utf8[..<space]))
        let after = String(Substring(text.utf8[text.utf8.index(after: space)...]))
        return (before, after)
    }

    /// Python's `str.rstrip()` for the whitespace a text file line can end in.
    private static func trimmingTrailingWhitespace(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
