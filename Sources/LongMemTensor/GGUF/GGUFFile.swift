/// A GGUF file (llama.cpp's model format), versions 2 and 3, little-endian.
///
/// Layout: the magic "GGUF", a u32 version, u64 tensor and metadata counts, the metadata (each a
/// string key, a u32 value type and the value), the tensor infos (name, u32 n_dims, n_dims u64
/// dimensions fastest-varying first, u32 ggml type, u64 offset into the data section), then the data
/// section, which starts at the next multiple of `general.alignment` (default 32). Strings are a u64
/// byte length and UTF-8 bytes. The file is memory-mapped; `tensor(_:)` converts one tensor to
/// Float32. Every length and offset is checked against the file size before anything is read, and
/// every problem is reported as a one-line `TensorError` starting with the file path.
public final class GGUFFile: @unchecked Sendable {
    public static let defaultAlignment = 32
    /// ggml's GGML_MAX_DIMS.
    public static let maximumDimensions = 4
    /// Largest `general.alignment` accepted (keeps offset arithmetic far from overflow).
    public static let maximumAlignment = 1 << 30
    /// Deepest nesting of arrays accepted in metadata (bounds recursion on hostile files).
    static let maximumArrayDepth = 16

    public let path: String
    /// 2 or 3 (the layouts are the same; 3 also allows big-endian files, which are not read here).
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensorInfos: [GGUFTensorInfo]
    public let alignment: Int
    /// File offset of the data section.
    public let dataOffset: Int
    private let infoIndex: [String: Int]
    private let file: MappedFile

    /// Tensor names in file order.
    public var names: [String] { tensorInfos.map(\.name) }

    /// `general.architecture` ("llama", "gpt2", ...).
    public var architecture: String? { metadata["general.architecture"]?.string }

    public func info(_ name: String) -> GGUFTensorInfo? { infoIndex[name].map { tensorInfos[$0] } }

    /// Row-major shape ([ne1, ne0] for a matrix), or nil when there is no such tensor.
    public func shape(of name: String) -> [Int]? { info(name)?.shape }

    public init(path: String) throws {
        let file = try MappedFile(path: path)
        self.file = file
        self.path = path
        var cursor = GGUFCursor(file: file)

        // Header.
        let magic: [UInt8] = Array("GGUF".utf8)
        let present = (0..<min(4, file.size)).map { file.bytes.load(fromByteOffset: $0, as: UInt8.self) }
        guard present == Array(magic.prefix(present.count)) else {
            let shown = present.map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            throw TensorError.malformedHeader(path: path, detail: "bad magic (bytes \(shown)), not a GGUF file")
        }
        try cursor.require(24, for: "the GGUF header (magic, version, tensor and metadata counts)")
        cursor.skip(to: 4)
        let rawVersion = try cursor.read(UInt32.self, "version")
        guard rawVersion == 2 || rawVersion == 3 else {
            if rawVersion & 0xFFFF == 0 && rawVersion != 0 {
                throw TensorError.malformedHeader(
                    path: path,
                    detail: "unsupported GGUF version \(rawVersion.byteSwapped) in big-endian byte order "
                        + "(only little-endian files are read)")
            }
            throw TensorError.malformedHeader(
                path: path, detail: "unsupported GGUF version \(rawVersion) (versions 2 and 3 are read)")
        }
        version = Int(rawVersion)
        let tensorCount = try cursor.read(UInt64.self, "tensor count")
        let metadataCount = try cursor.read(UInt64.self, "metadata count")

        // Metadata.
        try cursor.require(metadataCount, times: 8 + 4 + 1, for: "the metadata section")
        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for index in 0..<Int(metadataCount) {
            let key = try cursor.readString("metadata key \(index) of \(metadataCount)")
            let shown = Self.printable(key)
            let rawType = try cursor.read(UInt32.self, "value type of metadata '\(shown)'")
            let type = try Self.valueType(rawType, path: path, context: "metadata '\(shown)'")
            let value = try Self.readValue(type, cursor: &cursor, context: "metadata '\(shown)'", depth: 0)
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw TensorError.malformedHeader(path: path, detail: "duplicate metadata key '\(shown)'")
            }
            keys.append(key)
        }
        self.metadata = metadata
        metadataKeys = keys

        var alignment = Self.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard let requested = value.int, requested > 0, requested & (requested - 1) == 0 else {
                throw TensorError.malformedHeader(
                    path: path, detail: "general.alignment = \(value) (\(value.type)) is not a positive power of two")
            }
            guard requested <= Self.maximumAlignment else {
                throw TensorError.malformedHeader(
                    path: path, detail: "general.alignment = \(value) is larger than \(Self.maximumAlignment)")
            }
            alignment = requested
        }
        self.alignment = alignment

        // Tensor infos.
        try cursor.require(tensorCount, times: 8 + 4 + 4 + 8, for: "the tensor info section")
        var infos: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for number in 0..<Int(tensorCount) {
            let info = try Self.readTensorInfo(cursor: &cursor, number: number, count: tensorCount, path: path)
            guard index.updateValue(infos.count, forKey: info.name) == nil else {
                throw TensorError.malformedHeader(
                    path: path, detail: "duplicate tensor name '\(Self.printable(info.name))'")
            }
            infos.append(info)
        }

        // Data section: every tensor must lie inside it.
        let headerEnd = cursor.offset
        dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        let dataSize = max(file.size - dataOffset, 0)
        for info in infos where info.offset > dataSize || info.byteCount > dataSize - info.offset {
            throw TensorError.truncated(
                path: path,
                detail: "tensor data out of bounds: '\(Self.printable(info.name))' (\(info.type) \(info.shape), "
                    + "\(info.byteCount) bytes at data offset \(info.offset)) does not fit in the "
                    + "\(dataSize)-byte data section (file bytes \(dataOffset)..<\(file.size))")
        }
        tensorInfos = infos
        infoIndex = index
    }

    /// A key or tensor name as error messages show it: control characters escaped (messages stay on
    /// one line) and at most 120 characters (a corrupt length can make a name of any size).
    static func printable(_ name: String) -> String {
        var shown = ""
        for scalar in name.unicodeScalars.prefix(120) {
            if scalar.properties.generalCategory == .control {
                shown += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return name.unicodeScalars.count > 120 ? shown + "..." : shown
    }

    private static func valueType(
        _ raw: UInt32, path: String, context: @autoclosure () -> String
    ) throws
        -> GGUFValueType
    {
        guard let type = GGUFValueType(rawValue: raw) else {
            throw TensorError.malformedHeader(path: path, detail: "\(context()) has unknown value type \(raw)")
        }
        return type
    }

    private static func readValue(
        _ type: GGUFValueType, cursor: inout GGUFCursor, context: @autoclosure () -> String, depth: Int
    ) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self, context()))
        case .int8: return .int8(try cursor.read(Int8.self, context()))
        case .uint16: return .uint16(try cursor.read(UInt16.self, context()))
        case .int16: return .int16(try cursor.read(Int16.self, context()))
        case .uint32: return .uint32(try cursor.read(UInt32.self, context()))
        case .int32: return .int32(try cursor.read(Int32.self, context()))
        case .uint64: return .uint64(try cursor.read(UInt64.self, context()))
        case .int64: return .int64(try cursor.read(Int64.self, context()))
        case .float32: return .float32(Float(bitPattern: try cursor.read(UInt32.self, context())))
        case .float64: return .float64(Double(bitPattern: try cursor.read(UInt64.self, context())))
        case .bool:
            let byte = try cursor.read(UInt8.self, context())
            guard byte <= 1 else {
                throw TensorError.malformedHeader(
                    path: cursor.file.path, detail: "\(context()) is a BOOL with byte value \(byte) (expected 0 or 1)")
            }
            return .bool(byte == 1)
        case .string: return .string(try cursor.readString(context()))
        case .array:
            guard depth < maximumArrayDepth else {
                throw TensorError.malformedHeader(
                    path: cursor.file.path, detail: "\(context()) nests arrays deeper than \(maximumArrayDepth) levels")
            }
            let rawType = try cursor.read(UInt32.self, "element type of \(context())")
            let elementType = try valueType(rawType, path: cursor.file.path, context: "array \(context())")
            let count = try cursor.read(UInt64.self, "element count of \(context())")
            try cursor.require(count, times: elementType.minimumSize, for: "array \(context())")
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))  // bounded by the file size just above
            for element in 0..<Int(count) {
                values.append(
                    try readValue(elementType, cursor: &cursor, context: "\(context())[\(element)]", depth: depth + 1))
            }
            return .array(elementType, values)
        }
    }

    private static func readTensorInfo(
        cursor: inout GGUFCursor, number: Int, count: UInt64, path: String
    ) throws
        -> GGUFTensorInfo
    {
        let name = try cursor.readString("name of tensor \(number) of \(count)")
        let shown = printable(name)
        let dimensionCount = try cursor.read(UInt32.self, "n_dims of tensor '\(shown)'")
        guard dimensionCount <= maximumDimensions else {
            throw TensorError.malformedHeader(
                path: path, detail: "tensor '\(shown)' has \(dimensionCount) dimensions (at most \(maximumDimensions))")
        }
        var dimensions: [Int] = []
        for axis in 0..<Int(dimensionCount) {
            let raw = try cursor.read(UInt64.self, "dimension \(axis) of tensor '\(shown)'")
            guard let dimension = Int(exactly: raw) else {
                throw TensorError.malformedHeader(
                    path: path, detail: "tensor '\(shown)' has dimension ne\(axis) = \(raw)")
            }
            dimensions.append(dimension)
        }
        guard let elements = SizeLimits.product(dimensions) else {
            throw TensorError.malformedHeader(
                path: path, detail: "tensor '\(shown)' has an element count that overflows 64 bits")
        }
        let rawType = try cursor.read(UInt32.self, "ggml type of tensor '\(shown)'")
        guard let type = GGMLType(rawValue: rawType) else {
            throw TensorError.unsupportedDType(path: path, tensor: shown, dtype: "unknown ggml type \(rawType)")
        }
        let rawOffset = try cursor.read(UInt64.self, "data offset of tensor '\(shown)'")
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw TensorError.malformedHeader(
                path: path,
                detail: "tensor '\(shown)' (\(type), ne \(dimensions)): row length \(rowLength) is not a multiple "
                    + "of the \(type) block size \(type.blockSize)")
        }
        let (byteCount, overflow) = (elements / type.blockSize).multipliedReportingOverflow(by: type.typeSize)
        guard !overflow, let offset = Int(exactly: rawOffset) else {
            throw TensorError.truncated(
                path: path,
                detail: "tensor data out of bounds: '\(shown)' (\(type), ne \(dimensions)) at data offset \(rawOffset) "
                    + "cannot fit in the file")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset, byteCount: byteCount)
    }

    /// The named tensor converted to Float32, with the row-major `shape(of:)`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let info = info(name) else { throw TensorError.missingTensor(path: path, tensor: name) }
        guard info.type.canDequantize else {
            throw TensorError.unsupportedDType(path: path, tensor: name, dtype: info.type.name)
        }
        let tensor = Tensor(uninitialized: info.shape)
        try GGUFDequantizer.dequantize(
            info.type, from: file.bytes + dataOffset + info.offset, count: info.elementCount, into: tensor.data)
        return tensor
    }

    /// Calls `body` with the stored bytes of the named tensor (valid only during the call).
    public func withRawBytes<Result>(
        of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws
        -> Result
    {
        guard let info = info(name) else { throw TensorError.missingTensor(path: path, tensor: name) }
        return try body(UnsafeRawBufferPointer(start: file.bytes + dataOffset + info.offset, count: info.byteCount))
    }
}
