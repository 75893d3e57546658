/// OpenAI's `Encoder.bpe` from gpt-2's `encoder.py`, transcribed literally (strings, round by round),
/// as an independent check of the id-based merge loop.
struct OpenAIReferenceBPE {
    private struct Pair: Hashable {
        let first: String
        let second: String
    }

    private let ranks: [Pair: Int]

    /// `mergesText` is the content of `vocab.bpe`; like encoder.py, the first line is the version.
    init(mergesText: String) {
        var ranks: [Pair: Int] = [:]
        let lines = mergesText.split(separator: "\n", omittingEmptySubsequences: true).dropFirst()
        for (rank, line) in lines.enumerated() {
            let parts = line.split(separator: " ")
            ranks[Pair(first: String(parts[0]), second: String(parts[1]))] = rank
        }
        self.ranks = ranks
    }

    /// The BPE symbols of one pre-tokenized piece.
    func bpe(_ piece: String) -> [String] {
        var word = piece.utf8.map { TinyVocabulary.byteSymbols[Int($0)] }
        while word.count > 1 {
            var best: (pair: Pair, rank: Int)?
            for index in 0..<(word.count - 1) {
                let pair = Pair(first: word[index], second: word[index + 1])
                if let rank = ranks[pair], rank < (best?.rank ?? Int.max) { best = (pair, rank) }
            }
            guard let bigram = best?.pair else { break }
            var merged: [String] = []
            var index = 0
            while index < word.count {
                guard let found = word[index...].firstIndex(of: bigram.first) else {
                    merged += word[index...]
                    break
                }
                merged += word[index..<found]
                index = found
                if index < word.count - 1 && word[index + 1] == bigram.second {
                    merged.append(bigram.first + bigram.second)
                    index += 2
                } else {
                    merged.append(word[index])
                    index += 1
                }
            }
            word = merged
        }
        return word
    }
}
