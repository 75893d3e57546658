import Foundation
import LongMemTestSupport

/// Tests/Fixtures/llama-tiny: seeded random Llamas and transformers' per-token log-probs (written by
/// Scripts/reference/make_llama_fixture.py).
struct LlamaFixture: Decodable {
    /// Token ids of each test sequence.
    var sequences: [[Int]]
    /// Model name ("tied", "untied", "gguf") -> per sequence, log p(token | preceding) (nil for the first).
    var models: [String: [[Double?]]]

    static let directory = FixturePaths.fixture("llama-tiny")

    static func load() throws -> LlamaFixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/reference.json"))
        return try JSONDecoder().decode(LlamaFixture.self, from: data)
    }
}
