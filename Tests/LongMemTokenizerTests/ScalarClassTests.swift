import LongMemTokenizer
import Testing

/// The pre-tokenizer's letter / number / whitespace / other classes agree with HF's on every
/// Unicode scalar (the fixture holds HF's classes, probed one code point at a time).
@Suite("Scalar classes")
struct ScalarClassTests {
    @Test("every scalar is classified as HF tokenizers classifies it")
    func allScalars() throws {
        let fixture = try ReferenceFixture.shared.get()
        var codePoint: UInt32 = 0
        var mismatches: [String] = []
        for run in fixture.scalarClasses.split(separator: " ") {
            let kind = run.first!
            let length = try #require(UInt32(run.dropFirst()), "bad run \(run)")
            let expected: ScalarClass? =
                switch kind {
                case "L": .letter
                case "N": .number
                case "S": .whitespace
                case "O": .other
                default: nil  // surrogates: not scalars
                }
            if let expected {
                for value in codePoint..<(codePoint + length) {
                    let actual = ScalarClass(Unicode.Scalar(value)!)
                    if actual != expected && mismatches.count < 20 {
                        mismatches.append("U+\(String(value, radix: 16, uppercase: true)): \(actual), HF \(expected)")
                    }
                }
            }
            codePoint += length
        }
        #expect(codePoint == 0x110000)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test(
        "documented examples",
        arguments: [
            ("\u{00A0}", ScalarClass.whitespace), ("\u{3000}", .whitespace), ("\u{2028}", .whitespace),
            ("\u{0085}", .whitespace), ("\u{200B}", .other), ("\u{200D}", .other), ("\u{1C}", .other),
            ("\u{0301}", .other), ("\u{0661}", .number), ("\u{2167}", .number), ("\u{00BD}", .number),
            ("\u{00E9}", .letter), ("\u{02B0}", .letter), ("\u{088F}", .other),
        ] as [(Unicode.Scalar, ScalarClass)])
    func examples(_ scalar: Unicode.Scalar, _ expected: ScalarClass) {
        #expect(ScalarClass(scalar) == expected)
    }
}
