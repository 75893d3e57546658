import Foundation

/// One-line JSON with sorted keys; non-finite numbers are written as null (JSON has no NaN).
enum JSONLine {
    static func encode(_ object: [String: Any]) -> String {
        let cleaned = object.mapValues { value -> Any in
            if let double = value as? Double, !double.isFinite { return NSNull() }
            return value
        }
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: cleaned, options: [.sortedKeys, .withoutEscapingSlashes]),
            let line = String(data: data, encoding: .utf8)
        else { return "{}" }
        return line
    }
}
