import Foundation

/// A `.safetensors` file: an 8-byte little-endian header length N, N bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`, then the payload
/// (offsets are relative to its start). The payload is memory-mapped; `tensor(_:)` converts one
/// tensor to Float32. Every structural problem is reported with the file path and what is wrong.
public final class SafeTensorsFile: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// Byte range within the payload.
        public let range: Range<Int>
    }

    /// Byte widths of every dtype the format defines; only float types can be read as tensors.
    static let dtypeWidths: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8,
    ]

    public let path: String
    public let metadata: [String: String]
    public let entries: [String: Entry]
    private let file: MappedFile
    private let payloadOffset: Int

    public var names: [String] { entries.keys.sorted() }

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        guard file.size >= 8 else {
            throw TensorError.truncated(path: path, detail: "\(file.size) bytes, shorter than the 8-byte header length")
        }
        let headerLength = file.load(UInt64.self, at: 0)
        guard headerLength <= UInt64(file.size - 8) else {
            throw TensorError.malformedHeader(
                path: path, detail: "header length \(headerLength) runs past the end of the file (\(file.size) bytes)")
        }
        payloadOffset = 8 + Int(headerLength)
        let headerData = Data(bytes: file.bytes + 8, count: Int(headerLength))
        guard let object = try? JSONSerialization.jsonObject(with: headerData), let header = object as? [String: Any]
        else {
            throw TensorError.malformedHeader(path: path, detail: "header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
                continue
            }
            entries[name] = try Self.parseEntry(name: name, value: value, path: path)
        }
        let payloadSize = file.size - payloadOffset
        for entry in entries.values where entry.range.upperBound > payloadSize {
            throw TensorError.truncated(
                path: path,
                detail:
                    "tensor '\(entry.name)' ends at payload byte \(entry.range.upperBound) but the payload has \(payloadSize) bytes"
            )
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func parseEntry(name: String, value: Any, path: String) throws -> Entry {
        guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
            let shape = (fields["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
            let offsets = (fields["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
            offsets.count == 2, shape.count == (fields["shape"] as? [Any])?.count
        else {
            throw TensorError.malformedHeader(path: path, detail: "entry '\(name)' lacks dtype, shape or data_offsets")
        }
        guard let width = dtypeWidths[dtype] else {
            throw TensorError.unsupportedDType(path: path, tensor: name, dtype: dtype)
        }
        guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0] else {
            throw TensorError.malformedHeader(path: path, detail: "entry '\(name)' has a negative size or offset")
        }
        // The byte count must fit in an Int, and so must the product of the non-zero dimensions: Tensor's
        // element count multiplies them in order, so a zero dimension would not hide an overflow there.
        var nonZeroProduct = 1
        for dimension in shape + [width] {
            let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: max(dimension, 1))
            guard !overflow else {
                throw TensorError.malformedHeader(
                    path: path, detail: "entry '\(name)' has shape \(shape), whose \(dtype) size overflows 64 bits")
            }
            nonZeroProduct = product
        }
        let expectedBytes = shape.contains(0) ? 0 : nonZeroProduct
        guard offsets[1] - offsets[0] == expectedBytes else {
            throw TensorError.malformedHeader(
                path: path,
                detail:
                    "entry '\(name)' spans \(offsets[1] - offsets[0]) bytes but \(dtype) \(shape) needs \(expectedBytes)"
            )
        }
        return Entry(name: name, dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }

    /// The named tensor as Float32.
    public func tensor(_ name: String) throws -> Tensor {
        guard let entry = entries[name] else { throw TensorError.missingTensor(path: path, tensor: name) }
        guard let type = ElementType(rawValue: entry.dtype) else {
            throw TensorError.unsupportedDType(path: path, tensor: name, dtype: entry.dtype)
        }
        let tensor = Tensor(uninitialized: entry.shape)
        type.convert(file.bytes + payloadOffset + entry.range.lowerBound, count: tensor.count, into: tensor.data)
        return tensor
    }
}
