import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

/// Hostile model folders (issue 12): absurd configuration sizes in config.json and GGUF metadata, and paths
/// of the wrong kind, each fail with a message naming the file, the key and the problem.
@Suite("Hostile input: model configurations and folders")
final class HostileModelInputTests {
    static let tied = FixturePaths.fixture("llama-tiny/tied")
    static let gpt2 = FixturePaths.fixture("gpt2-tiny")
    /// Every folder a test makes, removed when it ends.
    let scratch = FixturePaths.temporaryDirectory("hostile-model")

    deinit { try? FileManager.default.removeItem(atPath: scratch) }

    /// A fresh folder inside `scratch`.
    func newFolder() throws -> String { try HostileFiles.folder(at: scratch + "/" + UUID().uuidString) }

    func loadError(_ directory: String) -> String? {
        do {
            _ = try ModelRegistry.load(try ModelDirectory(path: directory))
            return nil
        } catch { return "\(error)" }
    }

    /// A copy of `source` (config.json + model.safetensors) with config.json edited; returns its folder.
    func edited(_ source: String, _ edit: (inout [String: Any]) -> Void) throws -> String {
        let directory = try newFolder()
        try FileManager.default.copyItem(
            atPath: source + "/model.safetensors", toPath: directory + "/model.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: source + "/config.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: directory + "/config.json"))
        return directory
    }

    @Test(
        "absurd Llama config.json sizes are refused before anything is allocated", .timeLimit(.minutes(1)),
        arguments: [
            ("max_position_embeddings", 1_000_000_000_000, "max_position_embeddings must be in 1...1048576"),
            ("head_dim", 1 << 61, "head_dim must be in 1...4096"),
            ("num_hidden_layers", 1_000_000_000, "num_hidden_layers must be in 1...1024"),
            ("vocab_size", 1_000_000_000_000, "vocab_size must be in 1...16777216"),
            ("hidden_size", -64, "hidden_size must be in 1...65536"),
        ])
    func llamaSizes(key: String, value: Int, expected: String) throws {
        let directory = try edited(Self.tied) { $0[key] = value }
        #expect(loadError(directory) == "\(directory)/config.json: invalid configuration: \(expected), got \(value)")
    }

    @Test("absurd GPT-2 sizes: n_positions and n_layer", .timeLimit(.minutes(1)))
    func gpt2Sizes() throws {
        for (key, value, maximum) in [("n_positions", 1_000_000_000_000, 1 << 20), ("n_layer", 1 << 40, 1 << 10)] {
            let directory = try edited(Self.gpt2) { $0[key] = value }
            #expect(
                loadError(directory)
                    == "\(directory)/config.json: invalid configuration: \(key) must be in 1...\(maximum), got \(value)"
            )
        }
    }

    @Test("a window whose key/value cache cannot fit in memory is refused, naming the window", .timeLimit(.minutes(1)))
    func windowMemory() throws {
        let directory = try edited(Self.tied) {
            $0["num_hidden_layers"] = 1024
            $0["num_key_value_heads"] = 4
            $0["head_dim"] = 4096
            $0["max_position_embeddings"] = 1 << 20
        }
        let message = try #require(loadError(directory))
        #expect(
            message.hasPrefix("\(directory)/config.json: local window 1048576 needs 128.0 TiB, more than"), "\(message)"
        )
        #expect(message.hasSuffix("of memory (its key/value cache and position table)"), "\(message)")
    }

    /// A GGUF file holding only the metadata `LlamaConfiguration(gguf:)` reads, with `overrides` applied.
    func ggufConfiguration(_ overrides: [String: UInt64]) throws -> String {
        var values: [(String, UInt64)] = [
            ("llama.attention.head_count", 4), ("llama.embedding_length", 64), ("llama.feed_forward_length", 96),
            ("llama.block_count", 2), ("llama.context_length", 128), ("llama.vocab_size", 256),
        ]
        values = values.map { ($0.0, overrides[$0.0] ?? $0.1) }
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: UInt64(values.count + 2))
        bytes.key("general.architecture", .string)
        bytes.string("llama")
        bytes.key("llama.attention.layer_norm_rms_epsilon", .float32)
        bytes.u32(Float(1e-5).bitPattern)
        for (key, value) in values {
            bytes.key(key, .uint64)
            bytes.u64(value)
        }
        let path = try newFolder() + "/model.gguf"
        try bytes.data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(
        "absurd GGUF metadata sizes are refused with the metadata key", .timeLimit(.minutes(1)),
        arguments: [
            ("llama.context_length", 1 << 40, 1 << 20), ("llama.block_count", UInt64(UInt32.max), 1 << 10),
            ("llama.attention.head_count", 1 << 33, 1 << 10), ("llama.vocab_size", 1 << 50, 1 << 24),
        ] as [(String, UInt64, Int)])
    func ggufSizes(key: String, value: UInt64, maximum: Int) throws {
        let path = try ggufConfiguration([key: value])
        #expect(throws: Never.self) { _ = try GGUFFile(path: path) }
        do {
            _ = try LlamaModel.load(ggufPath: path)
            Issue.record("\(key) = \(value) loaded")
        } catch {
            #expect("\(error)" == "\(path): invalid configuration: \(key) must be in 1...\(maximum), got \(value)")
        }
    }

    @Test("--model of a .gguf file, a regular file, a device and a missing path", .timeLimit(.minutes(1)))
    func modelPaths() throws {
        let gguf = FixturePaths.fixture("llama-tiny/gguf/tiny.gguf")
        #expect(
            loadError(gguf)
                == "\(gguf): is a .gguf file; give the folder that holds it (\(FixturePaths.fixture("llama-tiny/gguf"))), "
                + "with no other .gguf file and no config.json beside it")
        #expect(
            loadError(Self.tied + "/config.json") == "\(Self.tied)/config.json: is a regular file, not a model folder")
        #expect(loadError("/dev/null") == "/dev/null: is a character device, not a model folder")
        #expect(loadError("/nonexistent/model") == "/nonexistent/model: model folder not found")
    }

    @Test("a FIFO or a directory where model.safetensors or config.json belongs", .timeLimit(.minutes(1)))
    func modelFiles() throws {
        let fifo = try edited(Self.gpt2) { _ in }
        try FileManager.default.removeItem(atPath: fifo + "/model.safetensors")
        try HostileFiles.fifo(at: fifo + "/model.safetensors")
        #expect(
            loadError(fifo) == "\(fifo)/model.safetensors: cannot read: is a FIFO (named pipe), not a regular file")
        let folder = try edited(Self.gpt2) { _ in }
        try FileManager.default.removeItem(atPath: folder + "/config.json")
        try HostileFiles.folder(at: folder + "/config.json")
        #expect(loadError(folder) == "\(folder)/config.json: cannot read: is a directory, not a regular file")
        let gguf = try newFolder()
        try HostileFiles.fifo(at: gguf + "/model.gguf")
        #expect(loadError(gguf) == "\(gguf)/model.gguf: cannot read: is a FIFO (named pipe), not a regular file")
    }
}
