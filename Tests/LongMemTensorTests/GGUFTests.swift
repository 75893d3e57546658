import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

/// The GGUF reader against fixtures written by the reference `gguf` Python package
/// (Scripts/reference/make_gguf_fixture.py): tensors must decode bit for bit as
/// `gguf.quants.dequantize` does and metadata must round-trip exactly.
@Suite("GGUF reader")
struct GGUFTests {
    static let files = ["types.gguf", "v2.gguf"]

    struct Expected {
        let version: Int
        let alignment: Int
        let metadataKeys: [String]
        let metadata: [String: GGUFValue]
        let tensors: [String: (type: String, shape: [Int])]
    }

    static func expected(_ file: String) throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.fixture("gguf/expected.json")))
        let root = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entry = try #require((root["files"] as? [String: Any])?[file] as? [String: Any])
        var metadata: [String: GGUFValue] = [:]
        for (key, value) in try #require(entry["metadata"] as? [String: Any]) {
            metadata[key] = try decode(try #require(value as? [String: Any]))
        }
        var tensors: [String: (type: String, shape: [Int])] = [:]
        for (name, value) in try #require(entry["tensors"] as? [String: [String: Any]]) {
            tensors[name] = (try #require(value["type"] as? String), try #require(value["shape"] as? [Int]))
        }
        return Expected(
            version: try #require(entry["version"] as? Int), alignment: try #require(entry["alignment"] as? Int),
            metadataKeys: try #require(entry["metadata_keys"] as? [String]), metadata: metadata, tensors: tensors)
    }

    /// expected.json stores numbers as strings so that 64-bit integers and floats are exact.
    static func decode(_ object: [String: Any]) throws -> GGUFValue {
        let type = try #require(object["type"] as? String)
        if type == "ARRAY" {
            let elementName = try #require(object["element_type"] as? String)
            let elementType = try #require(GGUFValueType.allCases.first { $0.description == elementName })
            let items = try #require(object["value"] as? [[String: Any]])
            return .array(elementType, try items.map(decode))
        }
        if type == "BOOL" { return .bool(try #require(object["value"] as? Bool)) }
        let text = try #require(object["value"] as? String)
        switch type {
        case "STRING": return .string(text)
        case "UINT8": return .uint8(try #require(UInt8(text)))
        case "INT8": return .int8(try #require(Int8(text)))
        case "UINT16": return .uint16(try #require(UInt16(text)))
        case "INT16": return .int16(try #require(Int16(text)))
        case "UINT32": return .uint32(try #require(UInt32(text)))
        case "INT32": return .int32(try #require(Int32(text)))
        case "UINT64": return .uint64(try #require(UInt64(text)))
        case "INT64": return .int64(try #require(Int64(text)))
        case "FLOAT32": return .float32(Float(try #require(Double(text))))
        case "FLOAT64": return .float64(try #require(Double(text)))
        default:
            Issue.record("unknown type \(type) in expected.json")
            return .bool(false)
        }
    }

    static func bits(_ tensor: Tensor) -> [UInt32] { tensor.toArray().map(\.bitPattern) }

    @Test("every element type decodes bit for bit as gguf.quants.dequantize", arguments: files)
    func tensors(file: String) throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/\(file)"))
        let reference = try SafeTensorsFile(path: FixturePaths.fixture("gguf/expected.safetensors"))
        let expected = try Self.expected(file)
        #expect(Set(gguf.names) == Set(expected.tensors.keys))
        for name in gguf.names {
            let info = try #require(gguf.info(name))
            let want = try #require(expected.tensors[name])
            #expect(info.type.name == want.type, "\(name)")
            #expect(gguf.shape(of: name) == want.shape, "\(name)")
            #expect(info.dimensions == want.shape.reversed(), "\(name): ne is the row-major shape reversed")
            guard info.type.canDequantize else { continue }
            let tensor = try gguf.tensor(name)
            let target = try reference.tensor("\(file):\(name)")
            #expect(tensor.shape == target.shape, "\(name)")
            #expect(Self.bits(tensor) == Self.bits(target), "\(name) (\(info.type))")
            #expect(Tolerance.maxAbsDifference(tensor.toArray(), target.toArray()) == 0, "\(name)")
        }
        #expect(gguf.shape(of: "no.such.tensor") == nil)
    }

    @Test("all types of the fixture are present: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q4_K, Q6_K")
    func typeCoverage() throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/types.gguf"))
        let types = Set(gguf.tensorInfos.map(\.type))
        #expect(types == [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1, .q4_K, .q6_K])
        #expect(gguf.shape(of: "weight.q4_0") == [4, 64])
        #expect(gguf.shape(of: "weight.q6_k") == [2, 256])
        #expect(gguf.shape(of: "vector.f32") == [7])
        #expect(gguf.shape(of: "cube.f16") == [2, 3, 4])
    }

    @Test("metadata of every value type round-trips, keys in file order", arguments: files)
    func metadata(file: String) throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/\(file)"))
        let expected = try Self.expected(file)
        #expect(gguf.metadataKeys == expected.metadataKeys)
        #expect(Set(gguf.metadata.keys) == Set(expected.metadata.keys))
        for (key, value) in expected.metadata {
            #expect(gguf.metadata[key] == value, "\(key)")
            #expect(gguf.metadata[key]?.type == value.type, "\(key)")
        }
    }

    @Test("v2 and v3 files both read, with their alignment and an aligned data section", arguments: files)
    func versions(file: String) throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/\(file)"))
        let expected = try Self.expected(file)
        #expect(gguf.version == expected.version)
        #expect(gguf.alignment == expected.alignment)
        #expect(gguf.dataOffset % expected.alignment == 0)
        #expect(gguf.path == FixturePaths.fixture("gguf/\(file)"))
    }

    @Test("typed accessors convert, and refuse what does not fit")
    func accessors() throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/types.gguf"))
        let m = gguf.metadata
        #expect(gguf.architecture == "fixture")
        #expect(m["fixture.string"]?.string == "héllo wörld — 日本語 🙂 Ġ")
        #expect(m["fixture.uint8"]?.int == 200)
        #expect(m["fixture.int16"]?.int == -30000)
        #expect(m["fixture.uint32"]?.int == 4_000_000_000)
        #expect(m["fixture.int64"]?.int == -(1 << 62) - 3)
        #expect(m["fixture.uint64"]?.int == nil, "2^63 + 5 does not fit in Int")
        #expect(m["fixture.uint64"]?.double == 9_223_372_036_854_775_813.0)
        #expect(m["fixture.float32"]?.float == 3.14159)
        #expect(m["fixture.float64"]?.double == Double.pi)
        #expect(m["fixture.int32"]?.double == -2_000_000_000)
        #expect(m["fixture.bool_true"]?.bool == true)
        #expect(m["fixture.bool_false"]?.bool == false)
        #expect(m["fixture.string"]?.int == nil)
        #expect(m["fixture.uint8"]?.string == nil)
        #expect(m["fixture.array.string"]?.strings == ["a", "", "héllo wörld — 日本語 🙂 Ġ", "<|im_end|>"])
        #expect(m["fixture.array.int32"]?.ints == [-2_147_483_648, 2_147_483_647, 7])
        #expect(m["fixture.array.uint8"]?.ints == [0, 1, 255])
        #expect(m["fixture.array.uint64"]?.ints == nil, "2^64 - 1 does not fit in Int")
        #expect(m["fixture.array.float32"]?.floats == [0.5, -1e-3, 1e30])
        #expect(m["fixture.array.float64"]?.doubles?.first == M_E)
        #expect(m["fixture.array.bool"]?.bools == [true, false, true])
        #expect(m["fixture.array.int32"]?.strings == nil)
        #expect(m["fixture.array.string"]?.elementType == .string)
        let nested = try #require(m["fixture.array.nested"])
        #expect(nested.elementType == .array)
        #expect(nested.array?.map { $0.ints ?? [] } == [[1, 2, 3], [4], [5, 6]])
        let deep = try #require(m["fixture.array.nested_strings"]?.array)
        #expect(deep.map { $0.array?.map { $0.strings ?? [] } ?? [] } == [[["x"], ["y", "ü"]], [["日本"]]])
        #expect(m["tokenizer.ggml.model"]?.description == "\"gpt2\"")
    }

    @Test("a known type without a decoder is listed and bounds-checked but not converted, naming the type")
    func unsupportedType() throws {
        let path = FixturePaths.fixture("gguf/v2.gguf")
        let gguf = try GGUFFile(path: path)
        #expect(gguf.info("c.q5_0")?.type == .q5_0)
        #expect(gguf.info("c.q5_0")?.byteCount == 22)
        do {
            _ = try gguf.tensor("c.q5_0")
            Issue.record("Q5_0 was converted")
        } catch {
            #expect("\(error)" == "\(path): tensor 'c.q5_0' has unsupported dtype Q5_0")
        }
        #expect(throws: TensorError.missingTensor(path: path, tensor: "nope")) { try gguf.tensor("nope") }
    }

    @Test("raw bytes of a tensor are exposed with its stored size")
    func rawBytes() throws {
        let gguf = try GGUFFile(path: FixturePaths.fixture("gguf/types.gguf"))
        let count = try gguf.withRawBytes(of: "weight.q4_1") { $0.count }
        #expect(count == 4 * 64 / 32 * 20)
        let first = try gguf.withRawBytes(of: "weight.f32") { $0.loadUnaligned(as: Float.self) }
        let tensor = try gguf.tensor("weight.f32")  // keep the handle: `data` lives as long as it does
        #expect(first.bitPattern == tensor.data[0].bitPattern)
    }
}
