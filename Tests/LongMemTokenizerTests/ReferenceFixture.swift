import Foundation
import Testing

/// `Tests/Fixtures/tokenizer/cases.json`, written by `Scripts/reference/make_tokenizer_fixtures.py`
/// from HF `tokenizers` (see that script for versions).
struct ReferenceFixture: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let pieces: [String]
        let ids: [Int]
        let decoded: String
        var testDescription: String { name }
    }

    struct SpecialCase: Decodable, Sendable {
        let text: String
        let plainIDs: [Int]
        let specialIDs: [Int]
        enum CodingKeys: String, CodingKey {
            case text
            case plainIDs = "plain_ids"
            case specialIDs = "special_ids"
        }
    }

    struct SplitDecode: Decodable, Sendable {
        let ids: [Int]
        let bytes: [UInt8]
        let text: String
    }

    struct Replacement: Decodable, Sendable {
        let bytes: [UInt8]
        let text: String
    }

    let cases: [Case]
    let specialCases: [SpecialCase]
    let splitDecodes: [SplitDecode]
    let utf8Replacement: [Replacement]
    /// Space-separated runs such as `O9 S5 O18`: class letter then run length, from U+0000 on.
    let scalarClasses: String

    enum CodingKeys: String, CodingKey {
        case cases
        case specialCases = "special_cases"
        case splitDecodes = "split_decodes"
        case utf8Replacement = "utf8_replacement"
        case scalarClasses = "scalar_classes"
    }

    static let path = TestPaths.fixtureDirectory.appendingPathComponent("cases.json").path

    /// Loaded once; a missing or broken fixture fails every test that uses it with the reason.
    static let shared: Result<ReferenceFixture, any Error> = Result {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(ReferenceFixture.self, from: data)
    }

    /// The cases, for `@Test(arguments:)`; empty when the fixture is unreadable (the
    /// "fixture loads" test then fails and says why).
    static var casesOrEmpty: [Case] { (try? shared.get().cases) ?? [] }
}
