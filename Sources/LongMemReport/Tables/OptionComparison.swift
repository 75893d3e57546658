import LongMemHarness

/// Finds which run options differ between the rows of a table. Options are "every option that changes a
/// number", so a reader must see them beside the figures they change (LONGMEM.md 7.3 asks this of the
/// first-token rule): options on which the rows that set them agree go under the table once, options
/// whose values differ go into each row. An option only some runs have (memory settings, absent from the
/// local run) is not a difference: a run without memory has no chunk size.
enum OptionComparison {
    /// Options that are the row label already.
    static let implied: Set<String> = ["method"]

    static func differingKeys(_ options: [[String: JSONValue]]) -> [String] {
        let keys = Set(options.flatMap(\.keys)).subtracting(implied)
        return keys.filter { key in Set(options.compactMap { $0[key] }).count > 1 }.sorted()
    }

    static func sharedOptions(_ options: [[String: JSONValue]]) -> [(key: String, value: JSONValue)] {
        let keys = Set(options.flatMap(\.keys)).subtracting(implied).sorted()
        return keys.compactMap { key in
            let values = Set(options.compactMap { $0[key] })
            return values.count == 1 ? (key, values.first!) : nil
        }
    }

    /// Compact text of an option value: strings bare, arrays and objects in JSON-like brackets.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0): \(text(object[$0]!))" }.joined(separator: ", ") + "}"
        default: return value.description
        }
    }
}
