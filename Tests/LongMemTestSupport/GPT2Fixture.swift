import Foundation

/// Tests/Fixtures/gpt2-tiny: a seeded random GPT-2 saved by transformers, with transformers' and
/// lm-eval's answers (written by Scripts/reference/make_gpt2_fixture.py).
public struct GPT2Fixture: Decodable {
    public struct Document: Decodable {
        public var text: String
        public var ids: [Int]
        /// window length -> per-token log-probs (nil for a window's first token)
        public var windows: [String: [Double?]]
    }

    public struct Loglikelihood: Decodable {
        public var context: String
        public var continuation: String
        public var logprob: Double
        public var is_greedy: Bool  // swiftlint:disable:this identifier_name
    }

    public struct Rolling: Decodable {
        public var text: String
        public var logprob: Double
    }

    public var documents: [Document]
    public var loglikelihood: [Loglikelihood]
    public var loglikelihood_rolling: [Rolling]  // swiftlint:disable:this identifier_name

    public static let directory = FixturePaths.fixture("gpt2-tiny")

    public static func load() throws -> GPT2Fixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/reference.json"))
        return try JSONDecoder().decode(GPT2Fixture.self, from: data)
    }
}
