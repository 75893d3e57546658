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

/// Writes a whole file through a temporary name and a rename, so a crash never leaves half of it.
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
