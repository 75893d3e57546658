/// OpenAI's `bytes_to_unicode()`: a reversible map from the 256 byte values to printable Unicode
/// scalars.
///
/// Why: BPE vocabularies are stored as text (JSON keys, lines of `vocab.bpe`), and raw bytes such as
/// space, newline or 0x80 would be invisible or invalid there. Printable ASCII and Latin-1 bytes map to
/// themselves; the other 68 bytes (controls, space, 0x7F-0xA0, 0xAD) map to U+0100... in byte order.
/// So the space byte is `Ġ` (U+0120) and newline is `Ċ` (U+010A).
struct ByteUnicodeTable: Sendable {
    /// The scalar standing for each byte, indexed by byte value.
    let scalarForByte: [Unicode.Scalar]
    /// The byte of each scalar below U+0144, or -1 for scalars that stand for no byte.
    private let byteForScalarValue: [Int16]

    static let gpt2 = ByteUnicodeTable()

    private init() {
        var direct = [Bool](repeating: false, count: 256)
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] {
            for byte in range { direct[byte] = true }
        }
        var scalars = [Unicode.Scalar]()
        scalars.reserveCapacity(256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            if direct[byte] {
                scalars.append(Unicode.Scalar(UInt8(byte)))
            } else {
                scalars.append(Unicode.Scalar(next)!)  // 0x100..<0x144: always valid scalars
                next += 1
            }
        }
        var reverse = [Int16](repeating: -1, count: Int(next))
        for (byte, scalar) in scalars.enumerated() { reverse[Int(scalar.value)] = Int16(byte) }
        scalarForByte = scalars
        byteForScalarValue = reverse
    }

    /// The byte that `scalar` stands for, or nil when it is not one of the 256 symbols.
    func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < byteForScalarValue.count, byteForScalarValue[value] >= 0 else { return nil }
        return UInt8(byteForScalarValue[value])
    }

    /// The byte-unicode spelling of raw bytes, e.g. `" the"` -> `"Ġthe"`.
    func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = String.UnicodeScalarView()
        for byte in bytes { text.append(scalarForByte[Int(byte)]) }
        return String(text)
    }

    /// The raw bytes a token spells, or nil when some scalar of it stands for no byte (as in added
    /// tokens such as `<｜begin▁of▁sentence｜>`; HF's ByteLevel decoder then uses the token's own
    /// UTF-8 bytes, and so do we).
    func decode(_ token: String) -> [UInt8]? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
