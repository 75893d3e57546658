import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("GPT-2 against transformers")
struct GPT2ModelTests {
    let fixture: GPT2Fixture
    let model: LanguageModel

    init() throws {
        fixture = try GPT2Fixture.load()
        model = try ModelRegistry.load(try ModelDirectory(path: GPT2Fixture.directory))
    }

    /// Per-token log-probs of `ids` over disjoint windows, computed straight from the logits.
    func logProbabilities(_ ids: [Int], window: Int) throws -> [Double?] {
        var result: [Double?] = []
        for start in stride(from: 0, to: ids.count, by: window) {
            let chunk = Array(ids[start..<min(start + window, ids.count)])
            let logits = try model.logits(for: [chunk])
            result.append(nil)
            for i in 1..<chunk.count {
                let row = logits.row(i - 1)
                result.append(Double(row[chunk[i]]) - Softmax.logSumExp(row, count: logits.columns))
            }
        }
        return result
    }

    @Test("per-token log-probs match transformers within 1e-4, document NLL within 1e-4 relative")
    func logProbabilitiesMatch() throws {
        #expect(
            model.descriptor
                == ModelDescriptor(
                    architecture: "gpt2", vocabularySize: 50257, contextLength: 64, layers: 2, width: 16, heads: 2))
        for document in fixture.documents {
            for (window, expected) in document.windows {
                let actual = try logProbabilities(document.ids, window: Int(window)!)
                #expect(actual.map { $0 == nil } == expected.map { $0 == nil })
                let difference =
                    zip(actual, expected).compactMap { a, b in a.flatMap { x in b.map { abs(x - $0) } } }.max() ?? 0
                #expect(difference < 1e-4, "window \(window): max |Δ log-prob| = \(difference)")
                let nll = -actual.compactMap { $0 }.reduce(0, +), reference = -expected.compactMap { $0 }.reduce(0, +)
                #expect(abs(nll - reference) / reference < 1e-4, "NLL \(nll) vs \(reference)")
            }
        }
    }

    @Test("packing sequences into one batch changes nothing beyond 1e-5")
    func batchIndependence() throws {
        let sequences = fixture.documents.map { Array($0.ids.prefix(60)) }
        let packed = try model.logits(for: sequences)
        var row = 0
        for sequence in sequences {
            let alone = try model.logits(for: [sequence])
            let difference = Tolerance.maxAbsDifference(
                alone.toArray(), packed.rows(row..<row + sequence.count).toArray())
            #expect(difference < 1e-5, "max |Δ logit| \(difference)")
            row += sequence.count
        }
    }

    @Test("one and three worker threads agree within 1e-5")
    func threadIndependence() throws {
        let ids = Array(fixture.documents[1].ids.prefix(64))
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = try model.logits(for: [ids]).toArray()
        Parallel.threads = 3
        let three = try model.logits(for: [ids]).toArray()
        #expect(Tolerance.maxAbsDifference(one, three) < 1e-5)
    }

    @Test("decoding token by token through the KV cache equals the full forward")
    func cachedDecoding() throws {
        let gpt2 = try #require(model as? GPT2Model)
        let ids = Array(fixture.documents[0].ids.prefix(20))
        let full = try gpt2.logits(for: [ids])
        let cache = gpt2.makeCache()
        let prefix = try gpt2.logits(appending: Array(ids.prefix(12)), to: cache)
        #expect(Tolerance.maxAbsDifference(prefix.toArray(), full.rows(0..<12).toArray()) < 1e-5)
        for (index, token) in ids.enumerated().dropFirst(12) {
            let step = try gpt2.logits(appending: [token], to: cache)
            #expect(Tolerance.maxAbsDifference(step.toArray(), full.rows(index..<index + 1).toArray()) < 1e-5)
        }
        #expect(cache.count == 20)
    }

    @Test("sequences longer than n_positions, empty input and bad token ids are errors")
    func invalidInput() throws {
        #expect(throws: ModelsError.self) { try model.logits(for: [Array(repeating: 1, count: 65)]) }
        #expect(throws: ModelsError.self) { try model.logits(for: [[]]) }
        #expect(throws: ModelsError.self) { try model.logits(for: [[50257]]) }
        do {
            _ = try model.logits(for: [Array(repeating: 1, count: 65)])
        } catch {
            #expect("\(error)" == "sequence of 65 tokens exceeds the model's 64 positions")
        }
    }
}
