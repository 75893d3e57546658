import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

/// Block layouts checked on blocks packed by hand from ggml's definitions (independently of the
/// Python fixtures), and the parallel path checked against block-by-block conversion.
@Suite("GGUF dequantisation")
struct GGUFDequantizerTests {
    func halfBits(_ value: Float) -> [UInt8] {
        let bits = Float16(value).bitPattern
        return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
    }

    /// Byte j holds j in its low nibble and 15 - j in its high nibble.
    let rampNibbles: [UInt8] = (0..<16).map { (j: Int) -> UInt8 in UInt8(j) | (UInt8(15 - j) << 4) }

    func dequantize(_ type: GGMLType, _ bytes: [UInt8], count: Int) throws -> [Float] {
        var output = [Float](repeating: .nan, count: count)
        try bytes.withUnsafeBytes { source in
            try output.withUnsafeMutableBufferPointer {
                try GGUFDequantizer.dequantize(type, from: source.baseAddress!, count: count, into: $0.baseAddress!)
            }
        }
        return output
    }

    @Test("Q8_0: f16 scale then 32 int8, x = q * d")
    func q8_0() throws {
        let q = (0..<32).map { Int8(truncatingIfNeeded: $0 * 9 - 128) }
        let bytes = halfBits(0.5) + q.map { UInt8(bitPattern: $0) }
        #expect(try dequantize(.q8_0, bytes, count: 32) == q.map { Float($0) * 0.5 })
    }

    @Test("Q4_0: low nibbles are elements 0..15, high nibbles 16..31, x = (q - 8) * d")
    func q4_0() throws {
        let bytes: [UInt8] = halfBits(2) + rampNibbles
        let low: [Float] = (0..<16).map { (j: Int) -> Float in Float(j - 8) * 2 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in Float(15 - j - 8) * 2 }
        let expected = low + high
        #expect(try dequantize(.q4_0, bytes, count: 32) == expected)
    }

    @Test("Q4_1: f16 d, f16 m, nibbles as Q4_0, x = q * d + m")
    func q4_1() throws {
        let block: [UInt8] = halfBits(0.25) + halfBits(-1) + rampNibbles
        let low: [Float] = (0..<16).map { (j: Int) -> Float in Float(j) * 0.25 - 1 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in Float(15 - j) * 0.25 - 1 }
        // Two blocks: the second has its own scale (every byte 0x3C: low nibble 12, high nibble 3).
        let second: [UInt8] = halfBits(1) + halfBits(0.5) + [UInt8](repeating: 0x3C, count: 16)
        let values = try dequantize(.q4_1, block + second, count: 64)
        #expect(Array(values[0..<32]) == low + high)
        let secondExpected: [Float] = [Float](repeating: 12.5, count: 16) + [Float](repeating: 3.5, count: 16)
        #expect(Array(values[32..<64]) == secondExpected)
    }

    @Test("Q4_K: 6-bit scale and min pairs per 32 elements, x = (d * scale) * q - dmin * min")
    func q4_K() throws {
        let scales: [UInt8] = (0..<8).map { (j: Int) -> UInt8 in UInt8(j + 1 + (j >= 4 ? 40 : 0)) }
        let mins: [UInt8] = (0..<8).map { (j: Int) -> UInt8 in UInt8(2 * j + 3 + (j >= 4 ? 20 : 0)) }
        var packed = [UInt8](repeating: 0, count: 12)
        for j in 0..<4 {
            packed[j] = scales[j] | (scales[j + 4] >> 4) << 6
            packed[j + 4] = mins[j] | (mins[j + 4] >> 4) << 6
            packed[j + 8] = (scales[j + 4] & 0x0F) | (mins[j + 4] & 0x0F) << 4
        }
        let q: [UInt8] = (0..<256).map { (e: Int) -> UInt8 in UInt8((e * 7 + e / 64) % 16) }
        var qs = [UInt8](repeating: 0, count: 128)
        for group in 0..<4 {
            for l in 0..<32 { qs[32 * group + l] = q[64 * group + l] | q[64 * group + 32 + l] << 4 }
        }
        let d: Float = 0.5, dmin: Float = 0.25
        let bytes: [UInt8] = halfBits(d) + halfBits(dmin) + packed + qs
        #expect(bytes.count == GGMLType.q4_K.typeSize)
        let expected = (0..<256).map { e -> Float in
            let j = e / 32
            return (d * Float(scales[j])) * Float(q[e]) - dmin * Float(mins[j])
        }
        #expect(try dequantize(.q4_K, bytes, count: 256) == expected)
    }

    @Test("Q6_K: 4 low bits, 2 high bits, int8 scale per 16 elements, f16 d last, x = (d * scale) * (q - 32)")
    func q6_K() throws {
        let q = (0..<256).map { UInt8(($0 * 5 + 3) % 64) }
        var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
        for h in 0..<2 {
            for l in 0..<32 {
                let a = q[128 * h + l], b = q[128 * h + 32 + l], c = q[128 * h + 64 + l], e = q[128 * h + 96 + l]
                ql[64 * h + l] = (a & 0x0F) | (c & 0x0F) << 4
                ql[64 * h + 32 + l] = (b & 0x0F) | (e & 0x0F) << 4
                qh[32 * h + l] = (a >> 4) | (b >> 4) << 2 | (c >> 4) << 4 | (e >> 4) << 6
            }
        }
        let scales = (0..<16).map { Int8($0 * 3 - 20) }
        let d: Float = 0.125
        let bytes = ql + qh + scales.map { UInt8(bitPattern: $0) } + halfBits(d)
        #expect(bytes.count == GGMLType.q6_K.typeSize)
        let expected = (0..<256).map { (d * Float(scales[$0 / 16])) * Float(Int(q[$0]) - 32) }
        #expect(try dequantize(.q6_K, bytes, count: 256) == expected)
    }

    @Test("F16 and BF16 widen exactly, including tails shorter than a vector")
    func floats() throws {
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, 6e-8, .infinity, -.infinity, 0.333, 1e-3, -7]
        let f16 = values.flatMap { halfBits($0) }
        #expect(
            try dequantize(.f16, f16, count: values.count).map(\.bitPattern)
                == values.map { Float(Float16($0)).bitPattern })
        let bf16 = values.flatMap { v -> [UInt8] in
            let bits = UInt16(v.bitPattern >> 16)
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        #expect(
            try dequantize(.bf16, bf16, count: values.count).map(\.bitPattern)
                == values.map { $0.bitPattern & 0xFFFF_0000 })
    }

    @Test(
        "large tensors split across threads give the same bits as block-by-block conversion",
        arguments: GGMLType.allCases.filter(\.canDequantize))
    func parallelMatchesSerial(type: GGMLType) throws {
        let count = 1 << 19  // twice the threshold above which work is split
        var random = SplitMix64(seed: UInt64(type.rawValue) + 11)
        // Random payloads include NaN and infinite scales; bits must still agree.
        let bytes = (0..<(count / type.blockSize * type.typeSize / 8)).flatMap { _ in
            withUnsafeBytes(of: random.next()) { Array($0) }
        }
        let whole = try dequantize(type, bytes, count: count)
        let chunk = 4096  // below the parallel threshold
        var pieces: [Float] = []
        for start in stride(from: 0, to: count, by: chunk) {
            let first = start / type.blockSize * type.typeSize, last = (start + chunk) / type.blockSize * type.typeSize
            pieces += try dequantize(type, Array(bytes[first..<last]), count: chunk)
        }
        #expect(whole.map(\.bitPattern) == pieces.map(\.bitPattern))
    }

    @Test("unsupported types and partial blocks are refused")
    func refusals() throws {
        let bytes = [UInt8](repeating: 0, count: 64)
        #expect(throws: TensorError.self) { try dequantize(.q5_K, bytes, count: 256) }
        #expect(throws: TensorError.self) { try dequantize(.q4_0, bytes, count: 20) }
        #expect(
            GGMLType.allCases.filter(\.canDequantize).map(\.name).sorted()
                == ["BF16", "F16", "F32", "F64", "Q4_0", "Q4_1", "Q4_K", "Q6_K", "Q8_0"])
    }
}
