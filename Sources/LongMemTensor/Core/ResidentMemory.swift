import Foundation

/// The process's resident set size, from /proc/self/status (Linux): what memory claims actually cost.
public enum ResidentMemory {
    /// Bytes resident now, or nil where /proc is not available.
    public static func current() -> Int? { read("VmRSS:") }

    /// The peak resident bytes of this process so far (VmHWM), or nil where /proc is not available.
    public static func peak() -> Int? { read("VmHWM:") }

    private static func read(_ key: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return nil }
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
        return kilobytes * 1024
    }
}
