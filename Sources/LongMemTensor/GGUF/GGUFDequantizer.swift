/// Converts ggml tensor payloads to Float32, block by block, exactly as ggml's `dequantize_row_*`
/// and the `gguf` Python package do (same operations in the same order, no fused multiply-adds, so
/// results match bit for bit).
///
/// Block layouts (all little-endian, f16 = IEEE half):
/// - Q8_0 (32 elements, 34 bytes): f16 d, 32 int8 q; x = q * d.
/// - Q4_0 (32, 18): f16 d, 16 bytes; byte j holds element j in its low nibble and j + 16 in its high
///   nibble; x = (q - 8) * d.
/// - Q4_1 (32, 20): f16 d, f16 m, nibbles as Q4_0; x = q * d + m.
/// - Q4_K (256, 144): f16 d, f16 dmin, 12 bytes of eight packed 6-bit (scale, min) pairs, 128 bytes of
///   nibbles; each 64 elements use 32 bytes, low nibbles first; x = (d * scale) * q - dmin * min.
/// - Q6_K (256, 210): 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales (one per
///   16 elements), f16 d; x = (d * scale) * (q - 32).
public enum GGUFDequantizer {
    /// Tensors are split across `Parallel.threads` workers in parts of at least this many elements.
    static let parallelThreshold = 1 << 18

    /// Converts `count` elements of `type` stored at `source` into `destination`. `count` must be a
    /// multiple of the type's block size and the type must be one `GGMLType.canDequantize` accepts.
    public static func dequantize(
        _ type: GGMLType, from source: UnsafeRawPointer, count: Int, into destination: UnsafeMutablePointer<Float>
    ) throws {
        guard type.canDequantize else {
            throw TensorError.invalidArgument("cannot dequantize ggml type \(type)")
        }
        guard count >= 0, count % type.blockSize == 0 else {
            throw TensorError.invalidArgument("\(count) elements are not whole \(type) blocks of \(type.blockSize)")
        }
        // Workers write disjoint block ranges of `destination`.
        let work = UncheckedSendable((source, destination))
        Parallel.forRanges(count / type.blockSize, minimum: max(1, parallelThreshold / type.blockSize)) { range in
            convert(type, work.value.0, work.value.1, blocks: range)
        }
    }

    static func convert(
        _ type: GGMLType, _ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, blocks: Range<Int>
    ) {
        switch type {
        case .f32:
            UnsafeMutableRawPointer(destination + blocks.lowerBound)
                .copyMemory(from: source + 4 * blocks.lowerBound, byteCount: 4 * blocks.count)
        case .f16: f16(source, destination, blocks)
        case .bf16: bf16(source, destination, blocks)
        case .f64:
            ElementType.float64.convert(
                source + 8 * blocks.lowerBound, count: blocks.count, into: destination + blocks.lowerBound)
        case .q8_0: q8_0(source, destination, blocks)
        case .q4_0: q4_0(source, destination, blocks)
        case .q4_1: q4_1(source, destination, blocks)
        case .q4_K: q4_K(source, destination, blocks)
        case .q6_K: q6_K(source, destination, blocks)
        default: break  // rejected by `dequantize`
        }
    }

    @inline(__always)
    static func half(_ pointer: UnsafeRawPointer, _ offset: Int = 0) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: pointer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    // Payloads need not be aligned (an offset is only as aligned as general.alignment), so 16-bit values
    // are read with unaligned loads. The kernels are plain scalar loops: the optimiser vectorises them
    // as well as hand-written SIMD types (about 0.25 ns per element), and unoptimised (debug) builds
    // run them several times faster than generic SIMD code.

    static func f16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ elements: Range<Int>) {
        for i in elements { destination[i] = half(source, 2 * i) }
    }

    static func bf16(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ elements: Range<Int>) {
        for i in elements {
            let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            destination[i] = Float(bitPattern: UInt32(bits) << 16)
        }
    }

    static func q8_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let base = source + 34 * block, out = destination + 32 * block
            let d = half(base)
            let q = (base + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { out[j] = Float(q[j]) * d }
        }
    }

    static func q4_0(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let base = source + 18 * block, out = destination + 32 * block
            let d = half(base)
            let q = (base + 2).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                out[j] = Float(Int32(q[j] & 0x0F) - 8) * d
                out[j + 16] = Float(Int32(q[j] >> 4) - 8) * d
            }
        }
    }

    static func q4_1(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let base = source + 20 * block, out = destination + 32 * block
            let d = half(base), m = half(base, 2)
            let q = (base + 4).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                out[j] = Float(q[j] & 0x0F) * d + m
                out[j + 16] = Float(q[j] >> 4) * d + m
            }
        }
    }

    static func q4_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let base = source + 144 * block, out = destination + 256 * block
            let d = half(base), dmin = half(base, 2)
            let scales = (base + 4).assumingMemoryBound(to: UInt8.self)
            let q = (base + 16).assumingMemoryBound(to: UInt8.self)
            for group in 0..<4 {
                // Sub-blocks j = 2 * group (low nibbles of 32 bytes) and 2 * group + 1 (their high nibbles).
                let (lowScale, lowMin) = scaleAndMin(2 * group, scales)
                let (highScale, highMin) = scaleAndMin(2 * group + 1, scales)
                let lowFactor = d * Float(lowScale), lowOffset = dmin * Float(lowMin)
                let highFactor = d * Float(highScale), highOffset = dmin * Float(highMin)
                let bytes = q + 32 * group, target = out + 64 * group
                for l in 0..<32 {
                    target[l] = lowFactor * Float(bytes[l] & 0x0F) - lowOffset
                    target[l + 32] = highFactor * Float(bytes[l] >> 4) - highOffset
                }
            }
        }
    }

    /// ggml's get_scale_min_k4: the 6-bit scale and min of sub-block j from the 12 packed bytes.
    @inline(__always)
    static func scaleAndMin(_ j: Int, _ bytes: UnsafePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (bytes[j] & 63, bytes[j + 4] & 63) }
        return ((bytes[j + 4] & 0x0F) | ((bytes[j - 4] >> 6) << 4), (bytes[j + 4] >> 4) | ((bytes[j] >> 6) << 4))
    }

    static func q6_K(_ source: UnsafeRawPointer, _ destination: UnsafeMutablePointer<Float>, _ blocks: Range<Int>) {
        for block in blocks {
            let base = source + 210 * block
            let d = half(base, 208)
            for halfIndex in 0..<2 {
                let ql = (base + 64 * halfIndex).assumingMemoryBound(to: UInt8.self)
                let qh = (base + 128 + 32 * halfIndex).assumingMemoryBound(to: UInt8.self)
                let scales = (base + 192 + 8 * halfIndex).assumingMemoryBound(to: Int8.self)
                let out = destination + 256 * block + 128 * halfIndex
                // Element 32 * k + l of this half uses scale 2 * k + l / 16.
                for part in 0..<2 {
                    let f1 = d * Float(scales[part]), f2 = d * Float(scales[2 + part])
                    let f3 = d * Float(scales[4 + part]), f4 = d * Float(scales[6 + part])
                    for l in (16 * part)..<(16 * part + 16) {
                        let high = qh[l]
                        out[l] = f1 * Float(Int32((ql[l] & 0x0F) | ((high & 3) << 4)) - 32)
                        out[l + 32] = f2 * Float(Int32((ql[l + 32] & 0x0F) | (((high >> 2) & 3) << 4)) - 32)
                        out[l + 64] = f3 * Float(Int32((ql[l] >> 4) | (((high >> 4) & 3) << 4)) - 32)
                        out[l + 96] = f4 * Float(Int32((ql[l + 32] >> 4) | ((high >> 6) << 4)) - 32)
                    }
                }
            }
        }
    }
}
