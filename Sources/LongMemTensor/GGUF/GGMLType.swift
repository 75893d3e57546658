/// The element types ggml stores tensors in (`enum ggml_type`), with their block layouts.
///
/// Quantised types pack `blockSize` consecutive elements of a row into `typeSize` bytes; a row's
/// length (ne0) must be a multiple of `blockSize`. Every type ggml defines is listed so that a file
/// holding one can be opened and its tensors listed and bounds-checked; `canDequantize` tells which
/// ones `GGUFFile.tensor(_:)` converts to Float32.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_XXS = 16
    case iq2_XS = 17
    case iq3_XXS = 18
    case iq1_S = 19
    case iq4_NL = 20
    case iq3_S = 21
    case iq2_S = 22
    case iq4_XS = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_M = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39

    /// Elements per super-block of the K-quants.
    static let qkK = 256

    /// ggml's name for the type ("Q4_0", "BF16", ...).
    public var name: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        case .iq2_XXS: return "IQ2_XXS"
        case .iq2_XS: return "IQ2_XS"
        case .iq3_XXS: return "IQ3_XXS"
        case .iq1_S: return "IQ1_S"
        case .iq4_NL: return "IQ4_NL"
        case .iq3_S: return "IQ3_S"
        case .iq2_S: return "IQ2_S"
        case .iq4_XS: return "IQ4_XS"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .iq1_M: return "IQ1_M"
        case .bf16: return "BF16"
        case .tq1_0: return "TQ1_0"
        case .tq2_0: return "TQ2_0"
        case .mxfp4: return "MXFP4"
        }
    }

    public var description: String { name }

    /// Elements per block (1 for plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: return 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq3_S, .iq2_S,
            .iq4_XS, .iq1_M, .tq1_0, .tq2_0:
            return Self.qkK
        }
    }

    /// Bytes per block (ggml's `type_size`).
    public var typeSize: Int {
        let k = Self.qkK
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .f64, .i64: return 8
        case .i8: return 1
        case .q4_0: return 2 + 16
        case .q4_1: return 2 + 2 + 16
        case .q5_0: return 2 + 4 + 16
        case .q5_1: return 2 + 2 + 4 + 16
        case .q8_0: return 2 + 32
        case .q8_1: return 4 + 4 + 32
        case .q2_K: return 2 + 2 + k / 16 + k / 4
        case .q3_K: return 2 + k / 4 + k / 8 + 12
        case .q4_K: return 2 + 2 + k / 2 + 12
        case .q5_K: return 2 + 2 + k / 2 + k / 8 + 12
        case .q6_K: return 2 + k / 2 + k / 4 + k / 16
        case .q8_K: return 4 + k + k / 8
        case .iq2_XXS: return 2 + k / 4
        case .iq2_XS: return 2 + k / 4 + k / 32
        case .iq3_XXS: return 2 + k / 4 + k / 8
        case .iq1_S: return 2 + k / 8 + k / 16
        case .iq4_NL: return 2 + 16
        case .iq3_S: return 2 + k / 4 + k / 8 + k / 32 + 4
        case .iq2_S: return 2 + k / 4 + k / 16
        case .iq4_XS: return 2 + 2 + k / 2 + k / 64
        case .iq1_M: return k / 8 + k / 16 + k / 32
        case .tq1_0: return 2 + 4 * 13
        case .tq2_0: return 2 + 64
        case .mxfp4: return 1 + 16
        }
    }

    /// Whether `dequantize` (and so `GGUFFile.tensor(_:)`) converts this type to Float32.
    public var canDequantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64, .q8_0, .q4_0, .q4_1, .q4_K, .q6_K: return true
        default: return false
        }
    }
}
