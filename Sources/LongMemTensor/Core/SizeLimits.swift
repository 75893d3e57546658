import Foundation

/// The rule for sizes read from files and options, and the tensor layer's maxima: every count, shape and
/// length is multiplied here, with overflow checked, before anything is indexed or allocated from it.
public enum SizeLimits {
    /// Most `--threads` workers: more than cores only slow a run, and no machine this runs on has 1,024.
    public static let threads = 1 << 10

    /// The product of non-negative `factors`, or nil when one is negative or the product overflows Int.
    /// Zero factors are left out of the overflow check's running product so that a zero dimension cannot
    /// hide an overflow that a product taken in another order would hit.
    public static func product(_ factors: [Int]) -> Int? {
        var nonZero = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = nonZero.multipliedReportingOverflow(by: max(factor, 1))
            guard !overflow else { return nil }
            nonZero = next
        }
        return factors.contains(0) ? 0 : nonZero
    }

    /// This machine's memory in bytes: the bound for anything allocated from input whose size no file
    /// bounds (a window's key/value cache, a memory bank). Allocating more fails, and Swift then traps.
    public static var physicalMemory: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// nil when `bytes` (nil: overflowed) fits in this machine's memory, else why not ("needs 3.0 TiB, more
    /// than this machine's 23.4 GiB of memory").
    public static func memoryProblem(bytes: Int?) -> String? {
        let available = physicalMemory
        if let bytes, bytes <= available { return nil }
        let needed = bytes.map(format) ?? "more than \(format(Int.max))"
        return "needs \(needed), more than this machine's \(format(available)) of memory"
    }

    /// "512 B", "1.5 GiB".
    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
