import Foundation
import LongMemTensor

/// Little-endian GGUF bytes written field by field, for building valid and corrupt files.
public struct GGUFBytes {
    public init() {}

    public var data = Data()

    public mutating func u8(_ value: UInt8) { data.append(value) }
    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    public mutating func string(_ text: String) {
        u64(UInt64(text.utf8.count))
        data.append(contentsOf: text.utf8)
    }

    public mutating func header(magic: String = "GGUF", version: UInt32 = 3, tensors: UInt64, metadata: UInt64) {
        data.append(contentsOf: magic.utf8)
        u32(version)
        u64(tensors)
        u64(metadata)
    }

    /// A metadata key and its value type; the caller writes the value.
    public mutating func key(_ name: String, _ type: GGUFValueType) {
        string(name)
        u32(type.rawValue)
    }

    public mutating func tensor(_ name: String, ne: [UInt64], type: UInt32 = GGMLType.f32.rawValue, offset: UInt64 = 0)
    {
        string(name)
        u32(UInt32(ne.count))
        for dimension in ne { u64(dimension) }
        u32(type)
        u64(offset)
    }

    public mutating func pad(to alignment: Int = 32) {
        while data.count % alignment != 0 { data.append(0) }
    }

    /// A valid file: one metadata string, one F32 tensor "w" of ne [4, 2] (8 floats 0...7).
    public static func valid(version: UInt32 = 3) -> GGUFBytes {
        var bytes = GGUFBytes()
        bytes.header(version: version, tensors: 1, metadata: 1)
        bytes.key("general.architecture", .string)
        bytes.string("test")
        bytes.tensor("w", ne: [4, 2])
        bytes.pad()
        for value in 0..<8 { bytes.u32(Float(value).bitPattern) }
        return bytes
    }
}
