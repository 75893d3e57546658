import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

/// Hostile weight files and paths (issue 12): every one fails promptly with a message naming the file and
/// the problem; none traps or blocks.
@Suite("Hostile input: tensor files")
final class HostileTensorInputTests {
    let directory = FixturePaths.temporaryDirectory("hostile-tensor")

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The message of `body`'s error, or nil when it succeeds.
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("a FIFO is refused before it is opened", .timeLimit(.minutes(1)))
    func fifo() throws {
        let path = try HostileFiles.fifo(at: directory + "/model.safetensors")
        #expect(throws: TensorError.notRegularFile(path: path, kind: "a FIFO (named pipe)")) {
            try RegularFile.check(path)
        }
        #expect(
            message { _ = try SafeTensorsFile(path: path) } == "\(path): is a FIFO (named pipe), not a regular file")
        #expect(message { _ = try GGUFFile(path: path) } == "\(path): is a FIFO (named pipe), not a regular file")
    }

    @Test("a directory, a character device and a missing path each get their own message", .timeLimit(.minutes(1)))
    func kinds() throws {
        let folder = try HostileFiles.folder(at: directory + "/weights.gguf")
        #expect(message { _ = try GGUFFile(path: folder) } == "\(folder): is a directory, not a regular file")
        #expect(
            message { _ = try MappedFile(path: "/dev/null") } == "/dev/null: is a character device, not a regular file")
        #expect(message { _ = try RegularFile.read(directory + "/nope") } == "\(directory)/nope: file not found")
        #expect(TensorError.permissionDenied(path: "/x").description == "/x: permission denied")
        #expect(
            TensorError.notRegularFile(path: "/d", kind: "a directory").problem == "is a directory, not a regular file")
    }

    @Test("a safetensors shape whose byte count overflows is refused", .timeLimit(.minutes(1)))
    func safeTensorsOverflow() throws {
        let path = directory + "/overflow.safetensors"
        let header =
            #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4611686018427387904, 0], "data_offsets": [0, 0]}}"#
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header.utf8)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(
            message { _ = try SafeTensorsFile(path: path) }
                == "\(path): malformed header: entry 'w' has shape [4611686018427387904, 4611686018427387904, 0], "
                + "whose byte count overflows 64 bits")
        let huge = #"{"w": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 4]}}"#
        var hugeBytes = Data()
        withUnsafeBytes(of: UInt64(huge.utf8.count).littleEndian) { hugeBytes.append(contentsOf: $0) }
        hugeBytes.append(contentsOf: huge.utf8)
        try hugeBytes.write(to: URL(fileURLWithPath: path))
        #expect(message { _ = try SafeTensorsFile(path: path) }?.contains("lacks dtype, shape or data_offsets") == true)
    }

    @Test("a GGUF tensor whose element count overflows behind a zero dimension is refused", .timeLimit(.minutes(1)))
    func ggufOverflow() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 1, metadata: 0)
        bytes.tensor("w", ne: [0, 1 << 62, 1 << 62])
        bytes.pad()
        let path = directory + "/overflow.gguf"
        try bytes.data.write(to: URL(fileURLWithPath: path))
        #expect(
            message { _ = try GGUFFile(path: path) }
                == "\(path): malformed header: tensor 'w' has an element count that overflows 64 bits")
    }

    @Test(
        "SizeLimits.product: overflow and negative factors give nil, a zero hides no overflow", .timeLimit(.minutes(1)))
    func product() {
        #expect(SizeLimits.product([3, 4, 5]) == 60)
        #expect(SizeLimits.product([0, 7]) == 0)
        #expect(SizeLimits.product([Int.max, 2]) == nil)
        #expect(SizeLimits.product([0, 1 << 62, 1 << 62]) == nil)
        #expect(SizeLimits.product([-1, 2]) == nil)
        #expect(SizeLimits.memoryProblem(bytes: 1024) == nil)
        #expect(SizeLimits.memoryProblem(bytes: nil)?.hasPrefix("needs more than") == true)
        #expect(SizeLimits.format(1536 << 20) == "1.5 GiB")
    }

    @Test("a JSON type mismatch names the key, the value found and the type expected", .timeLimit(.minutes(1)))
    func typeMismatch() throws {
        struct Sizes: Decodable { var n_embd: Int; var names: [String] }  // swiftlint:disable:this identifier_name
        for (json, expected) in [
            (#"{"n_embd": "8", "names": []}"#, #"wrong type at 'n_embd': expected Int, found the string "8""#),
            (#"{"n_embd": 8, "names": [1]}"#, "wrong type at 'names[0]': expected String, found the number 1"),
            (#"{"n_embd": [], "names": []}"#, "wrong type at 'n_embd': expected Int, found an array of 0 elements"),
            (#"{"n_embd": true, "names": []}"#, "wrong type at 'n_embd': expected Int, found true"),
        ] {
            let data = Data(json.utf8)
            do {
                _ = try JSONDecoder().decode(Sizes.self, from: data)
                Issue.record("\(json) decoded")
            } catch let error as DecodingError {
                #expect(error.summary(json: data) == expected)
            }
        }
    }
}
