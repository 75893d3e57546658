/// A minimal byte-level vocabulary for unit tests: the 256 single-byte tokens with id = byte value
/// (spelt in OpenAI's byte-unicode form, e.g. space is `Ġ`).
enum TinyVocabulary {
    static let byteSymbols: [String] = {
        var direct = Set<Int>()
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] { direct.formUnion(range) }
        var next: UInt32 = 0x100
        return (0..<256).map { byte in
            if direct.contains(byte) { return String(Unicode.Scalar(UInt8(byte))) }
            defer { next += 1 }
            return String(Unicode.Scalar(next)!)
        }
    }()

    static let bytes: [String: Int] = {
        var vocabulary: [String: Int] = [:]
        for (byte, symbol) in byteSymbols.enumerated() { vocabulary[symbol] = byte }
        return vocabulary
    }()
}
