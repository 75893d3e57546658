/// The type tag of a GGUF metadata value (`enum gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0
    case int8 = 1
    case uint16 = 2
    case int16 = 3
    case uint32 = 4
    case int32 = 5
    case float32 = 6
    case bool = 7
    case string = 8
    case array = 9
    case uint64 = 10
    case int64 = 11
    case float64 = 12

    /// The name the GGUF specification uses ("UINT8", "STRING", ...).
    public var description: String {
        switch self {
        case .uint8: return "UINT8"
        case .int8: return "INT8"
        case .uint16: return "UINT16"
        case .int16: return "INT16"
        case .uint32: return "UINT32"
        case .int32: return "INT32"
        case .float32: return "FLOAT32"
        case .bool: return "BOOL"
        case .string: return "STRING"
        case .array: return "ARRAY"
        case .uint64: return "UINT64"
        case .int64: return "INT64"
        case .float64: return "FLOAT64"
        }
    }

    /// Encoded size of one value of a fixed-size type; nil for STRING and ARRAY.
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// Fewest bytes one encoded value can take (a string is at least its 8-byte length, an array its
    /// 4-byte element type and 8-byte count); used to reject counts the rest of the file cannot hold.
    var minimumSize: Int {
        switch self {
        case .string: return 8
        case .array: return 12
        default: return fixedSize!
        }
    }
}

/// One GGUF metadata value. Arrays keep their element type, so an empty array still says what it
/// would hold; nested arrays are arrays whose element type is `.array`.
public enum GGUFValue: Sendable, Equatable, CustomStringConvertible {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array(GGUFValueType, [GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// The text of a STRING value.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Any integer value that fits in `Int` (not BOOL, not floats).
    public var int: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// A FLOAT64 value, or a FLOAT32 or integer value converted to Double.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        case .uint64(let v): return Double(v)
        default: return int.map(Double.init)
        }
    }

    /// `double` rounded to Float (exact for FLOAT32 values).
    public var float: Float? { double.map(Float.init) }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of an ARRAY value.
    public var array: [GGUFValue]? {
        if case .array(_, let values) = self { return values }
        return nil
    }

    /// The element type of an ARRAY value.
    public var elementType: GGUFValueType? {
        if case .array(let type, _) = self { return type }
        return nil
    }

    /// An array of STRING values.
    public var strings: [String]? { elements(\.string) }
    /// An array of integers (each must fit in Int).
    public var ints: [Int]? { elements(\.int) }
    /// An array of numbers as Float.
    public var floats: [Float]? { elements(\.float) }
    /// An array of numbers as Double.
    public var doubles: [Double]? { elements(\.double) }
    public var bools: [Bool]? { elements(\.bool) }

    private func elements<T>(_ accessor: (GGUFValue) -> T?) -> [T]? {
        guard case .array(_, let values) = self else { return nil }
        var result: [T] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = accessor(value) else { return nil }
            result.append(converted)
        }
        return result
    }

    public var description: String {
        switch self {
        case .uint8(let v): return "\(v)"
        case .int8(let v): return "\(v)"
        case .uint16(let v): return "\(v)"
        case .int16(let v): return "\(v)"
        case .uint32(let v): return "\(v)"
        case .int32(let v): return "\(v)"
        case .float32(let v): return "\(v)"
        case .bool(let v): return "\(v)"
        case .string(let v): return "\"\(v)\""
        case .uint64(let v): return "\(v)"
        case .int64(let v): return "\(v)"
        case .float64(let v): return "\(v)"
        case .array(let type, let values):
            let shown = values.prefix(8).map(\.description).joined(separator: ", ")
            let more = values.count > 8 ? ", ... (\(values.count) \(type) elements)" : ""
            return "[\(shown)\(more)]"
        }
    }
}
