import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal PNG reader for the screenshot test: 8-bit RGB or RGBA, not interlaced (what headless
/// Chromium writes). Checks the signature and every chunk's CRC, inflates IDAT with the system zlib
/// (loaded with dlopen: Swift has no zlib module on Linux, and the package should not grow a C target
/// for one test), and undoes the scanline filters, so the pixel checks look at real pixels.
struct PNGImage {
    enum Failure: Error, CustomStringConvertible {
        case notPNG(String)
        case unsupported(String)
        case zlib(String)

        var description: String {
            switch self {
            case .notPNG(let reason): return "not a PNG: \(reason)"
            case .unsupported(let reason): return "unsupported PNG: \(reason)"
            case .zlib(let reason): return "zlib: \(reason)"
            }
        }
    }

    var width: Int
    var height: Int
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    var channels: Int
    /// Unfiltered rows, `height * width * channels` bytes.
    var pixels: [UInt8]

    init(contentsOf path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Failure.notPNG("bad signature")
        }
        let zlib = try ZLib()
        var position = 8
        var header: [UInt8]?
        var compressed: [UInt8] = []
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        while position + 12 <= bytes.count {
            let length = be32(position)
            let type = String(decoding: bytes[position + 4..<position + 8], as: UTF8.self)
            guard position + 12 + length <= bytes.count else { throw Failure.notPNG("chunk \(type) runs past the end") }
            let body = Array(bytes[position + 8..<position + 8 + length])
            let crc = UInt32(be32(position + 8 + length))
            guard zlib.crc32(Array(bytes[position + 4..<position + 8 + length])) == crc else {
                throw Failure.notPNG("CRC mismatch in chunk \(type)")
            }
            switch type {
            case "IHDR": header = body
            case "IDAT": compressed += body
            default: break
            }
            position += 12 + length
            if type == "IEND" { break }
        }
        guard let header, header.count == 13 else { throw Failure.notPNG("no IHDR") }
        width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard header[8] == 8, header[12] == 0 else {
            throw Failure.unsupported("bit depth \(header[8]), interlace \(header[12])")
        }
        switch header[9] {
        case 2: channels = 3
        case 6: channels = 4
        default: throw Failure.unsupported("colour type \(header[9])")
        }
        let stride = width * channels
        let raw = try zlib.uncompress(compressed, expectedSize: height * (stride + 1))
        pixels = [UInt8](repeating: 0, count: height * stride)
        var previous = [UInt8](repeating: 0, count: stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            var line = Array(raw[(row * (stride + 1) + 1)..<((row + 1) * (stride + 1))])
            for x in 0..<stride {
                let a = x >= channels ? Int(line[x - channels]) : 0
                let b = Int(previous[x])
                let c = x >= channels ? Int(previous[x - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure.notPNG("filter type \(filter) in row \(row)")
                }
                line[x] = UInt8(truncatingIfNeeded: Int(line[x]) + predictor)
            }
            pixels.replaceSubrange(row * stride..<(row + 1) * stride, with: line)
            previous = line
        }
    }

    /// The RGB of every pixel, packed into one integer (alpha ignored).
    func rgb(x: Int, y: Int) -> UInt32 {
        let at = (y * width + x) * channels
        return UInt32(pixels[at]) << 16 | UInt32(pixels[at + 1]) << 8 | UInt32(pixels[at + 2])
    }
}

/// The two zlib functions the PNG reader needs, from the system's libz.so.1.
struct ZLib {
    typealias Uncompress =
        @convention(c) (
            UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>?, UnsafePointer<UInt8>?, UInt
        ) -> Int32
    typealias CRC32 = @convention(c) (UInt, UnsafePointer<UInt8>?, UInt32) -> UInt

    let uncompressFunction: Uncompress
    let crcFunction: CRC32

    init() throws {
        guard let handle = dlopen("libz.so.1", RTLD_NOW) ?? dlopen("libz.so", RTLD_NOW) else {
            throw PNGImage.Failure.zlib("libz.so.1 not found (Debian package zlib1g)")
        }
        guard let uncompress = dlsym(handle, "uncompress"), let crc = dlsym(handle, "crc32") else {
            throw PNGImage.Failure.zlib("uncompress or crc32 missing from libz")
        }
        uncompressFunction = unsafeBitCast(uncompress, to: Uncompress.self)
        crcFunction = unsafeBitCast(crc, to: CRC32.self)
    }

    func crc32(_ bytes: [UInt8]) -> UInt32 {
        UInt32(truncatingIfNeeded: bytes.withUnsafeBufferPointer { crcFunction(0, $0.baseAddress, UInt32($0.count)) })
    }

    func uncompress(_ source: [UInt8], expectedSize: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: expectedSize)
        var length = UInt(expectedSize)
        let status = output.withUnsafeMutableBufferPointer { out in
            source.withUnsafeBufferPointer { input in
                uncompressFunction(out.baseAddress, &length, input.baseAddress, UInt(input.count))
            }
        }
        guard status == 0 else { throw PNGImage.Failure.zlib("uncompress returned \(status)") }
        guard Int(length) == expectedSize else {
            throw PNGImage.Failure.zlib("inflated \(length) bytes, expected \(expectedSize)")
        }
        return output
    }
}
