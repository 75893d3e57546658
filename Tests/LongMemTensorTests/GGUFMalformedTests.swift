import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("GGUF reader on malformed input")
struct GGUFMalformedTests {
    /// Writes `bytes` to a fresh file, opens it and converts every tensor; returns the error message,
    /// or nil when everything was read.
    static func failure(_ bytes: Data, name: String = "bad.gguf") throws -> (path: String, message: String?) {
        let directory = FixturePaths.temporaryDirectory("gguf-malformed")
        let path = directory + "/" + name
        try bytes.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return (path, message(path))
    }

    static func message(_ path: String) -> String? {
        do {
            let file = try GGUFFile(path: path)
            for info in file.tensorInfos where info.type.canDequantize { _ = try file.tensor(info.name) }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Expects `bytes` to be refused with a one-line message that starts with the path and contains
    /// `expected`.
    static func expectRejected(
        _ bytes: GGUFBytes, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let (path, message) = try failure(bytes.data)
        guard let message else {
            Issue.record("accepted; expected an error containing '\(expected)'", sourceLocation: sourceLocation)
            return
        }
        #expect(message.hasPrefix(path + ": "), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains(expected), "\(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), "\(message)", sourceLocation: sourceLocation)
    }

    @Test("the hand-built baseline file is valid, in v2 and v3")
    func baseline() throws {
        for version: UInt32 in [2, 3] {
            let directory = FixturePaths.temporaryDirectory("gguf-valid")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/ok.gguf"
            try GGUFBytes.valid(version: version).data.write(to: URL(fileURLWithPath: path))
            let file = try GGUFFile(path: path)
            #expect(file.version == Int(version))
            #expect(file.architecture == "test")
            #expect(file.shape(of: "w") == [2, 4])
            #expect(try file.tensor("w").toArray() == [0, 1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test(
        "files cut at any byte before the end of the last tensor are refused; cuts in trailing padding are not",
        arguments: ["types.gguf", "v2.gguf"])
    func truncatedAnywhere(fixture: String) throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("gguf/\(fixture)")))
        let file = try GGUFFile(path: FixturePaths.fixture("gguf/\(fixture)"))
        let needed = file.dataOffset + (file.tensorInfos.map { $0.offset + $0.byteCount }.max() ?? 0)
        #expect(needed <= whole.count)
        let directory = FixturePaths.temporaryDirectory("gguf-cut")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/cut.gguf"
        for length in 0..<whole.count {
            try whole.prefix(length).write(to: URL(fileURLWithPath: path))
            let message = Self.message(path)
            if length < needed {
                guard let message else {
                    Issue.record("cut at \(length) of \(whole.count) bytes was accepted")
                    continue
                }
                #expect(message.hasPrefix(path + ": "), "\(message)")
                #expect(message.contains("truncated") || message.contains("bad magic"), "cut at \(length): \(message)")
            } else {
                #expect(message == nil, "cut at \(length) (padding after the last tensor): \(message ?? "")")
            }
        }
    }

    @Test("bad magic, unsupported versions and big-endian files name the problem")
    func headers() throws {
        var bytes = GGUFBytes()
        bytes.header(magic: "GGML", tensors: 0, metadata: 0)
        try Self.expectRejected(bytes, "bad magic (bytes 47 47 4D 4C), not a GGUF file")
        bytes = GGUFBytes()
        bytes.header(magic: "gguf", tensors: 0, metadata: 0)
        try Self.expectRejected(bytes, "bad magic")
        bytes = GGUFBytes()
        bytes.data.append(contentsOf: [0x7B, 0x22])  // a JSON file, say
        try Self.expectRejected(bytes, "bad magic")
        for version: UInt32 in [0, 1, 4, 0xFFFF_FFFF] {
            try Self.expectRejected(GGUFBytes.valid(version: version), "unsupported GGUF version \(version) ")
        }
        try Self.expectRejected(GGUFBytes.valid(version: 0x0300_0000), "unsupported GGUF version 3 in big-endian")
        bytes = GGUFBytes()
        bytes.data.append(contentsOf: "GGUF".utf8)
        bytes.u32(3)
        try Self.expectRejected(bytes, "truncated file: the GGUF header")
    }

    @Test("an empty file is truncated, not a crash")
    func empty() throws {
        try Self.expectRejected(GGUFBytes(), "truncated file")
    }

    @Test("huge counts and lengths are refused before anything is allocated or read")
    func hugeLengths() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1 << 60)
        try Self.expectRejected(bytes, "the metadata section declares 1152921504606846976 entries")

        bytes = GGUFBytes()
        bytes.header(tensors: UInt64.max, metadata: 0)
        try Self.expectRejected(bytes, "the tensor info section declares 18446744073709551615 entries")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.u64(1 << 63)  // key length
        bytes.data.append(contentsOf: [UInt8](repeating: 0x41, count: 16))
        try Self.expectRejected(bytes, "metadata key 0 of 1 has length 9223372036854775808")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("big.string", .string)
        bytes.u64(UInt64.max)
        bytes.string("tail")
        try Self.expectRejected(bytes, "metadata 'big.string' has length 18446744073709551615")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("big.array", .array)
        bytes.u32(GGUFValueType.uint32.rawValue)
        bytes.u64(1 << 62)
        bytes.u32(1)
        try Self.expectRejected(
            bytes, "array metadata 'big.array' declares 4611686018427387904 entries of at least 4 bytes")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("big.strings", .array)
        bytes.u32(GGUFValueType.string.rawValue)
        bytes.u64(3)
        bytes.string("one")
        bytes.u64(1 << 40)  // the second string's length
        bytes.data.append(Data(count: 16))
        try Self.expectRejected(bytes, "metadata 'big.strings'[1] has length 1099511627776")

        bytes = GGUFBytes()
        bytes.header(tensors: 1, metadata: 0)
        bytes.u64(UInt64(Int.max))  // tensor name length
        bytes.data.append(contentsOf: [UInt8](repeating: 0, count: 24))
        try Self.expectRejected(bytes, "name of tensor 0 of 1 has length 9223372036854775807")
    }

    @Test("unknown metadata value types, element types and bad BOOLs name the key")
    func unknownValueTypes() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.string("odd.key")
        bytes.u32(13)
        bytes.u64(0)
        try Self.expectRejected(bytes, "malformed header: metadata 'odd.key' has unknown value type 13")

        // Control characters in keys are escaped so that the message stays on one line.
        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.string("line\nbreak")
        bytes.u32(200)
        bytes.u64(0)
        try Self.expectRejected(bytes, "metadata 'line\\u{A}break' has unknown value type 200")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("odd.array", .array)
        bytes.u32(99)
        bytes.u64(1)
        bytes.u64(0)
        try Self.expectRejected(bytes, "array metadata 'odd.array' has unknown value type 99")

        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("odd.bool", .bool)
        bytes.u8(2)
        bytes.data.append(contentsOf: [UInt8](repeating: 0, count: 8))
        try Self.expectRejected(bytes, "metadata 'odd.bool' is a BOOL with byte value 2")
    }

    @Test("arrays nested too deeply are refused (bounded recursion)")
    func deepNesting() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("deep", .array)
        for _ in 0..<40 {
            bytes.u32(GGUFValueType.array.rawValue)
            bytes.u64(1)
        }
        bytes.data.append(contentsOf: [UInt8](repeating: 0, count: 64))
        try Self.expectRejected(bytes, "nests arrays deeper than 16 levels")
    }

    @Test("empty arrays, empty strings, nested arrays and scalar tensors are valid")
    func validEdgeCases() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 1, metadata: 4)
        bytes.key("empty.array", .array)
        bytes.u32(GGUFValueType.float64.rawValue)
        bytes.u64(0)
        bytes.key("", .string)  // an empty key and an empty value
        bytes.string("")
        bytes.key("nested", .array)
        bytes.u32(GGUFValueType.array.rawValue)
        bytes.u64(2)
        bytes.u32(GGUFValueType.int8.rawValue)
        bytes.u64(2)
        bytes.u8(0xFF)
        bytes.u8(0x01)
        bytes.u32(GGUFValueType.string.rawValue)
        bytes.u64(0)
        bytes.key("bad.utf8", .string)
        bytes.u64(3)
        bytes.data.append(contentsOf: [0x61, 0xFF, 0x62])
        bytes.tensor("scalar", ne: [])
        bytes.pad()
        bytes.u32(Float(2.5).bitPattern)
        let directory = FixturePaths.temporaryDirectory("gguf-edge")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/edge.gguf"
        try bytes.data.write(to: URL(fileURLWithPath: path))
        let file = try GGUFFile(path: path)
        #expect(file.metadata["empty.array"] == .array(.float64, []))
        #expect(file.metadata["empty.array"]?.doubles == [])
        #expect(file.metadata[""] == .string(""))
        #expect(
            file.metadata["nested"] == .array(.array, [.array(.int8, [.int8(-1), .int8(1)]), .array(.string, [])]))
        #expect(file.metadata["bad.utf8"]?.string == "a\u{FFFD}b", "ill-formed UTF-8 is repaired, not fatal")
        #expect(file.alignment == 32)
        #expect(file.shape(of: "scalar") == [])
        #expect(try file.tensor("scalar").toArray() == [2.5])
    }

    @Test("a file with no tensors and no metadata opens")
    func emptyModel() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 0)
        let (_, message) = try Self.failure(bytes.data)
        #expect(message == nil)
    }

    @Test("duplicate keys and tensor names are refused")
    func duplicates() throws {
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 2)
        for _ in 0..<2 {
            bytes.key("twice", .uint8)
            bytes.u8(1)
        }
        try Self.expectRejected(bytes, "duplicate metadata key 'twice'")

        bytes = GGUFBytes()
        bytes.header(tensors: 2, metadata: 0)
        bytes.tensor("w", ne: [1])
        bytes.tensor("w", ne: [1], offset: 32)
        bytes.pad()
        bytes.data.append(Data(count: 64))
        try Self.expectRejected(bytes, "duplicate tensor name 'w'")
    }

    @Test("general.alignment must be a positive power of two")
    func alignment() throws {
        for (type, value) in [(GGUFValueType.uint32, 0), (.uint32, 48), (.int32, -32)] {
            var bytes = GGUFBytes()
            bytes.header(tensors: 0, metadata: 1)
            bytes.key("general.alignment", type)
            bytes.u32(UInt32(bitPattern: Int32(value)))
            try Self.expectRejected(bytes, "general.alignment = \(value) (\(type)) is not a positive power of two")
        }
        var bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("general.alignment", .uint64)
        bytes.u64(1 << 62)
        try Self.expectRejected(bytes, "general.alignment = 4611686018427387904 is larger than 1073741824")
        bytes = GGUFBytes()
        bytes.header(tensors: 0, metadata: 1)
        bytes.key("general.alignment", .string)
        bytes.string("32")
        try Self.expectRejected(bytes, "general.alignment = \"32\" (STRING) is not a positive power of two")

        // A valid custom alignment moves the data section.
        bytes = GGUFBytes()
        bytes.header(tensors: 1, metadata: 1)
        bytes.key("general.alignment", .uint32)
        bytes.u32(256)
        bytes.tensor("w", ne: [2])
        bytes.pad(to: 256)
        bytes.u32(Float(1).bitPattern)
        bytes.u32(Float(-1).bitPattern)
        let (_, message) = try Self.failure(bytes.data)
        #expect(message == nil)
    }

    @Test("tensor infos: too many dimensions, overflowing or huge dimensions, unknown types, partial blocks")
    func tensorInfos() throws {
        func file(
            ne: [UInt64], type: UInt32 = GGMLType.f32.rawValue, offset: UInt64 = 0, payload: Int = 32
        )
            -> GGUFBytes
        {
            var bytes = GGUFBytes()
            bytes.header(tensors: 1, metadata: 0)
            bytes.tensor("t", ne: ne, type: type, offset: offset)
            bytes.pad()
            bytes.data.append(Data(count: payload))
            return bytes
        }
        try Self.expectRejected(file(ne: [1, 1, 1, 1, 1]), "tensor 't' has 5 dimensions (at most 4)")
        try Self.expectRejected(file(ne: [1 << 40, 1 << 40]), "tensor 't' has an element count that overflows 64 bits")
        try Self.expectRejected(file(ne: [0, 1 << 40, 1 << 40]), "element count that overflows 64 bits")
        try Self.expectRejected(file(ne: [1 << 63]), "tensor 't' has dimension ne0 = 9223372036854775808")
        try Self.expectRejected(file(ne: [8], type: 99), "tensor 't' has unsupported dtype unknown ggml type 99")
        try Self.expectRejected(file(ne: [8], type: 4), "unknown ggml type 4")  // Q4_2, removed from ggml
        try Self.expectRejected(
            file(ne: [48, 2], type: GGMLType.q4_0.rawValue),
            "row length 48 is not a multiple of the Q4_0 block size 32")
        try Self.expectRejected(
            file(ne: [128], type: GGMLType.q6_K.rawValue), "row length 128 is not a multiple of the Q6_K block size 256"
        )
        try Self.expectRejected(file(ne: [1 << 40]), "tensor data out of bounds: 't'")
    }

    @Test("tensor data must lie inside the file")
    func dataBounds() throws {
        func file(ne: [UInt64], type: GGMLType = .f32, offset: UInt64, payload: Int) -> GGUFBytes {
            var bytes = GGUFBytes()
            bytes.header(tensors: 1, metadata: 0)
            bytes.tensor("t", ne: ne, type: type.rawValue, offset: offset)
            bytes.pad()
            bytes.data.append(Data(count: payload))
            return bytes
        }
        try Self.expectRejected(
            file(ne: [8], offset: 0, payload: 31), "tensor data out of bounds: 't' (F32 [8], 32 bytes")
        try Self.expectRejected(file(ne: [8], offset: 64, payload: 64), "tensor data out of bounds")
        try Self.expectRejected(file(ne: [8], offset: UInt64.max, payload: 64), "tensor data out of bounds")
        try Self.expectRejected(file(ne: [8], offset: UInt64(Int.max), payload: 64), "tensor data out of bounds")
        try Self.expectRejected(
            file(ne: [64, 2], type: .q8_0, offset: 0, payload: 4 * 34 - 1), "'t' (Q8_0 [2, 64], 136 bytes")
        // Zero-element tensors take no bytes, wherever they claim to be.
        let (_, message) = try Self.failure(file(ne: [0, 5], offset: 0, payload: 0).data)
        #expect(message == nil)
    }

    @Test("random corruption of a real file never crashes and every error names the file")
    func fuzz() throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("gguf/types.gguf")))
        let file = try GGUFFile(path: FixturePaths.fixture("gguf/types.gguf"))
        var random = SplitMix64(seed: 42)
        let directory = FixturePaths.temporaryDirectory("gguf-fuzz")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/fuzz.gguf"
        var rejected = 0
        for round in 0..<1500 {
            var bytes = [UInt8](whole)
            // Mostly the header (where structure lives), sometimes anywhere.
            let limit = round % 4 == 0 ? bytes.count : file.dataOffset
            for _ in 0..<(1 + round % 3) {
                let position = Int.random(in: 0..<limit, using: &random)
                switch round % 5 {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes[position] = 0xFF
                case 3: bytes[position] = 0
                default: bytes[position] = bytes[position] &+ 1
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if let message = Self.message(path) {
                rejected += 1
                #expect(message.hasPrefix(path + ": "), "\(message)")
            }
        }
        #expect(rejected > 100)
    }
}
