/// The four classes GPT-2's split pattern distinguishes: `\p{L}`, `\p{N}`, `\s` and everything else.
///
/// Why a hand-made table: the pre-tokenizer must agree with HF `tokenizers` (the Oniguruma regex inside
/// transformers' GPT-2 tokenizer) on every scalar, or ids drift.
/// - `letter` = general categories Lu Ll Lt Lm Lo; `number` = Nd Nl No. Combining marks (Mn Mc Me)
///   are in neither: `"é"` written as `e` + U+0301 splits after the `e`.
/// - `whitespace` = the Unicode `White_Space` property (what Oniguruma's `\s` is): tab..CR, space,
///   U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Not the
///   U+001C-U+001F separators that Python's `str.isspace` accepts, and not U+200B/U+200D/U+FEFF.
/// - Unicode version: `tokenizers` 0.23 classifies with Unicode 16.0 data, while Swift 6.3's tables are
///   Unicode 17.0. Scalars first assigned after 16.0 are unassigned (`other`) for HF, so we treat them as
///   `other` too (4,657 scalars, e.g. U+088F, the Sidetic block). Raise `maximumUnicodeVersion` when the
///   reference moves to newer data.
public enum ScalarClass: UInt8, Sendable, CaseIterable {
    case letter
    case number
    case whitespace
    case other

    /// The class of `scalar` as the GPT-2 pattern sees it.
    public init(_ scalar: Unicode.Scalar) { self = Self.of(scalar.value) }

    /// The newest Unicode version whose letters and numbers count as such (see the type comment).
    public static let maximumUnicodeVersion = (major: 16, minor: 0)

    /// The class of a scalar value; `value` must be a valid scalar (not a surrogate, below 0x110000).
    /// - Complexity: O(1); a table lookup for ASCII, a Unicode property lookup otherwise.
    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 0x80 { return asciiClass(UInt8(truncatingIfNeeded: value)) }
        return nonASCIIClass(value)
    }

    @inline(__always)
    static func asciiClass(_ byte: UInt8) -> ScalarClass {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case 0x09...0x0D, 0x20: return .whitespace
        default: return .other
        }
    }

    static func nonASCIIClass(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let candidate: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            candidate = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            candidate = .number
        default:
            return .other
        }
        guard let age = properties.age else { return .other }
        let cap = maximumUnicodeVersion
        if age.major > cap.major || (age.major == cap.major && age.minor > cap.minor) { return .other }
        return candidate
    }
}
