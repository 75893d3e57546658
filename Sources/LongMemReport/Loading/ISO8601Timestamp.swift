import Foundation

/// ISO-8601 date-times in UTC, as results files store them and reports print them.
///
/// Formatters are made per call: `ISO8601DateFormatter` is not `Sendable`, and reports format a handful
/// of dates, so sharing one is not worth a lock.
public enum ISO8601Timestamp {
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// "2026-11-20T10:15:00Z": the run's own time, never the time a report was made.
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
