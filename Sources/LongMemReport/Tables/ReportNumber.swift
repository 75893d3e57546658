import Foundation

/// Number formatting for reports: fixed decimals, POSIX digits (no locale), and explicit signs on deltas.
/// Rounding happens once, here, so Markdown, HTML and charts print identical figures.
enum ReportNumber {
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
        let text = String(format: "%.\(digits)f", value)
        // "-0.0" reads like a real negative: a value that rounds to zero prints unsigned.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())
        }
        return text
    }

    /// "+5.2" / "-1.38" / "+0.0": the sign is always shown so a delta cannot be mistaken for a value.
    static func signed(_ value: Double, digits: Int) -> String {
        let text = fixed(value, digits: digits)
        return text.hasPrefix("-") || !value.isFinite ? text : "+" + text
    }

    /// Token counts in labels: 4096 -> "4k", 65536 -> "64k", 1000 -> "1000".
    static func tokens(_ label: String) -> String {
        guard let count = Int(label), count > 0 else { return label }
        return count % 1024 == 0 ? "\(count / 1024)k" : String(count)
    }

    /// "1h 02m 03s", "4m 05s", "12.3s": wall times at a glance (the exact seconds are printed beside).
    static func duration(_ seconds: Double) -> String {
        guard ReportLimits.problem(seconds, nonNegative: true, maximum: ReportLimits.wallSeconds) == nil else {
            return "?"
        }
        if seconds < 60 { return fixed(seconds, digits: 1) + "s" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total % 3600 / 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours)h \(twoDigits(minutes))m \(twoDigits(secs))s" : "\(minutes)m \(twoDigits(secs))s"
    }

    /// 1234567 -> "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
