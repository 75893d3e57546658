import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

/// log p(ids[i] | ids[..<i]) from one forward pass; nil for the first token.
func llamaLogProbabilities(_ model: LanguageModel, _ ids: [Int]) throws -> [Double?] {
    let logits = try model.logits(for: [ids])
    return [nil]
        + (1..<max(ids.count, 1)).map { i in
            let row = logits.row(i - 1)
            return Double(row[ids[i]]) - Softmax.logSumExp(row, count: logits.columns)
        }
}

/// Largest |a - b| over the positions both have a value for; infinity when the nil pattern differs.
func maxLogProbabilityDifference(_ a: [Double?], _ b: [Double?]) -> Double {
    guard a.map({ $0 == nil }) == b.map({ $0 == nil }) else { return .infinity }
    return zip(a, b).compactMap { x, y in x.flatMap { x in y.map { abs(x - $0) } } }.max() ?? 0
}

@Suite("Llama against transformers (seeded tiny models)")
struct LlamaModelTests {
    let fixture: LlamaFixture

    init() throws { fixture = try LlamaFixture.load() }

    func load(_ name: String) throws -> LlamaModel {
        try #require(
            try ModelRegistry.load(try ModelDirectory(path: LlamaFixture.directory + "/" + name)) as? LlamaModel)
    }

    @Test(
        "per-token log-probs match transformers within 1e-4 (tied and untied safetensors, Q8_0 GGUF)",
        arguments: ["tied", "untied", "gguf"])
    func logProbabilitiesMatch(name: String) throws {
        let model = try load(name)
        let expected = try #require(fixture.models[name])
        var worst = 0.0
        for (ids, reference) in zip(fixture.sequences, expected) {
            worst = max(worst, maxLogProbabilityDifference(try llamaLogProbabilities(model, ids), reference))
        }
        #expect(worst < 1e-4, "\(name): max |Δ log-prob| = \(worst)")
        print("llama-tiny \(name): max |Δ log-prob| vs transformers = \(worst)")
    }

    @Test("descriptor and attention geometry follow config.json and the GGUF metadata")
    func descriptor() throws {
        let expected = ModelDescriptor(
            architecture: "llama", vocabularySize: 256, contextLength: 128, layers: 2, width: 64, heads: 4)
        for name in ["tied", "untied", "gguf"] {
            let model = try load(name)
            #expect(model.descriptor == expected)
            #expect(
                model.attentionGeometry
                    == AttentionGeometry(heads: 4, kvHeads: 2, headDim: 16, scale: 0.25, alibiSlopes: nil))
            #expect(model.configuration.theta == 500)
            #expect(model.configuration.tieWordEmbeddings == (name != "untied"))
        }
    }

    @Test("packing sequences into one batch changes nothing beyond 1e-5; positions restart per sequence")
    func batchIndependence() throws {
        let model = try load("untied")
        let sequences = [Array(fixture.sequences[2]), Array(fixture.sequences[1]), Array(fixture.sequences[0])]
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

    @Test("one and two worker threads agree within 1e-5")
    func threadIndependence() throws {
        let model = try load("tied")
        let ids = fixture.sequences[3]
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = try model.logits(for: [ids]).toArray()
        Parallel.threads = 2
        let two = try model.logits(for: [ids]).toArray()
        #expect(Tolerance.maxAbsDifference(one, two) < 1e-5)
    }

    @Test("decoding through the KV cache (a prefix, then token by token) equals the full forward")
    func cachedDecoding() throws {
        let model = try load("untied")
        let ids = Array(fixture.sequences[3].prefix(50))
        let full = try model.logits(for: [ids])
        let cache = model.makeCache(capacity: nil)
        #expect(cache.width == 32)
        let prefix = try model.logits(appending: Array(ids.prefix(30)), to: cache)
        #expect(Tolerance.maxAbsDifference(prefix.toArray(), full.rows(0..<30).toArray()) < 1e-5)
        for index in 30..<ids.count {
            let step = try model.logits(appending: [ids[index]], to: cache)
            let difference = Tolerance.maxAbsDifference(step.toArray(), full.rows(index..<index + 1).toArray())
            #expect(difference < 1e-5, "token \(index): max |Δ logit| \(difference)")
        }
        #expect(cache.count == ids.count)
        let overflow = model.makeCache(capacity: 4)
        #expect(throws: ModelsError.self) { try model.logits(appending: Array(ids.prefix(5)), to: overflow) }
    }

    @Test("the attention hook gets rotated q and k, and a RotaryContext whose rotate reproduces them")
    func attentionHook() throws {
        let model = try load("tied")
        let ids = fixture.sequences[2]
        let probe = RotaryProbe(layer: 1)
        let plain = try model.forward([ids, [5, 6, 7]], options: ForwardOptions(capturedHiddenStates: [0, 2])).hidden
        let hooked = try model.forward(
            [ids, [5, 6, 7]], options: ForwardOptions(attentionOverride: probe, capturedHiddenStates: [1])
        )
        #expect(probe.calls == 1)
        #expect(probe.positions == Array(0..<ids.count) + [0, 1, 2])
        #expect(
            probe.queryDifference < 1e-6 && probe.keyDifference < 1e-6,
            "\(probe.queryDifference) \(probe.keyDifference)")
        #expect(probe.unrotatedDiffers)
        #expect(hooked.hidden.toArray() == plain.toArray())
        #expect(hooked.hiddenStates.keys.sorted() == [1])
    }
}

/// Checks the projections of one block, then computes the standard attention.
final class RotaryProbe: AttentionOverride {
    let layer: Int
    var calls = 0
    var positions: [Int] = []
    var queryDifference: Float = .infinity
    var keyDifference: Float = .infinity
    var unrotatedDiffers = false

    init(layer: Int) { self.layer = layer }

    func overrides(layer: Int) -> Bool { layer == self.layer }

    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        calls += 1
        guard let rotary = projections.rotary else {
            return projections.standard(into: output, outputStride: outputStride)
        }
        positions = rotary.positions
        let g = projections.geometry, rows = projections.tokens
        func check(
            _ unrotated: UnsafePointer<Float>, _ stride: Int, _ rotated: UnsafePointer<Float>, _ rotatedStride: Int,
            heads: Int
        ) -> Float {
            let width = heads * g.headDim
            let buffer = Tensor(zeros: [rows, width])
            for row in 0..<rows { buffer.row(row).update(from: unrotated + row * stride, count: width) }
            rotary.rotate(buffer.data, width, heads, rotary.positions)
            var worst: Float = 0
            for row in 0..<rows {
                for j in 0..<width {
                    worst = max(worst, abs(buffer.row(row)[j] - rotated[row * rotatedStride + j]))
                    if row > 0, unrotated[row * stride + j] != rotated[row * rotatedStride + j] {
                        unrotatedDiffers = true
                    }
                }
            }
            return worst
        }
        queryDifference = check(
            rotary.unrotatedQuery, rotary.queryStride, projections.query, projections.queryStride, heads: g.heads)
        keyDifference = check(
            rotary.unrotatedKey, rotary.keyStride, projections.key, projections.keyStride, heads: g.kvHeads)
        projections.standard(into: output, outputStride: outputStride)
    }
}
