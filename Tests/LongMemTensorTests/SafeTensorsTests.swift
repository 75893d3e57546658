import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("safetensors reader")
struct SafeTensorsTests {
    @Test("F32, F16, BF16 and F64 tensors decode to torch's float32 values")
    func dtypes() throws {
        let file = try SafeTensorsFile(path: FixturePaths.fixture("safetensors/dtypes.safetensors"))
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("safetensors/dtypes.json")))
        let expected = try #require(JSONSerialization.jsonObject(with: data) as? [String: [Double]])
        #expect(Set(file.names) == Set(expected.keys))
        #expect(file.metadata["format"] == "pt")
        for (name, values) in expected {
            let tensor = try file.tensor(name)
            #expect(tensor.shape == [3, 9])
            #expect(tensor.toArray() == values.map { Float($0) }, "\(name)")
        }
    }

    @Test("the writer round-trips and pads the header to 8 bytes")
    func roundTrip() throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/t.safetensors"
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), b = Tensor(shape: [1], values: [-7])
        try SafeTensorsWriter.write([("a", a), ("b", b)], to: path)
        let file = try SafeTensorsFile(path: path)
        #expect(try file.tensor("a").toArray() == a.toArray())
        #expect(try file.tensor("b").shape == [1])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8 == 0)
    }

    /// Builds a file from a raw header string and payload size.
    func file(header: String, payload: Int = 0) throws -> String {
        let directory = FixturePaths.temporaryDirectory()
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        data.append(Data(count: payload))
        let path = directory + "/bad.safetensors"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func failure(_ path: String) -> String? {
        do {
            let file = try SafeTensorsFile(path: path)
            for name in file.names { _ = try file.tensor(name) }
            return nil
        } catch { return "\(error)" }
    }

    @Test("a file truncated at any byte is rejected with its path, never read past the end")
    func truncatedAnywhere() throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("safetensors/dtypes.safetensors")))
        let path = directory + "/cut.safetensors"
        for length in 0..<whole.count {
            try whole.prefix(length).write(to: URL(fileURLWithPath: path))
            let message = try #require(failure(path), "cut at \(length) bytes was accepted")
            #expect(message.hasPrefix(path), "\(message)")
        }
    }

    @Test(
        "malformed headers name the file and the problem",
        arguments: [
            ("{not json", 0, "header is not a JSON object"),
            (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, 4, "truncated"),
            (#"{"w": {"dtype": "Q9", "shape": [2], "data_offsets": [0, 8]}}"#, 8, "unsupported dtype Q9"),
            (#"{"w": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#, 8, "unsupported dtype I64"),
            (#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, 8, "needs 12"),
            (#"{"w": {"dtype": "F32", "data_offsets": [0, 8]}}"#, 8, "lacks dtype, shape or data_offsets"),
        ])
    func malformed(header: String, payload: Int, expected: String) throws {
        let path = try file(header: header, payload: payload)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let message = try #require(failure(path))
        #expect(message.hasPrefix(path) && message.contains(expected), "\(message)")
    }

    /// Tests/Fixtures/fuzz/safetensors: crash-026af52c is the fuzzer's (minimised), the others were made by hand.
    @Test(
        "a shape whose size overflows 64 bits is an error, not a trap",
        arguments: [
            "crash-026af52c", "byte-count-overflow", "shape-overflow", "shape-overflow-zero-dimension",
        ])
    func overflowingShape(fixture: String) throws {
        let path = FixturePaths.fixture("fuzz/safetensors/\(fixture).safetensors")
        let message = try #require(failure(path))
        #expect(message.hasPrefix(path) && message.contains("malformed header"), "\(message)")
    }

    @Test("a header length past the end of the file")
    func headerPastEnd() throws {
        let directory = FixturePaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/long.safetensors"
        var data = Data()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data("{}".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        let message = try #require(failure(path))
        #expect(message.contains("runs past the end of the file"), "\(message)")
    }

    @Test("a missing file")
    func missing() {
        #expect(failure("/nonexistent/model.safetensors") == "/nonexistent/model.safetensors: file not found")
    }
}
