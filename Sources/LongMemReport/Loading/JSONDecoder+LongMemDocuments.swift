import Foundation

extension JSONDecoder {
    /// Decodes results, reference and baseline files: ISO-8601 dates, with or without fractional seconds
    /// (Foundation's `.iso8601` strategy rejects fractional seconds, which other writers emit).
    static var longMemDocuments: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = ISO8601Timestamp.parse(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not an ISO-8601 date-time")
        }
        return decoder
    }
}

extension JSONEncoder {
    /// Writes documents the way they are committed: sorted keys (stable diffs), indented, ISO-8601 dates.
    static var longMemDocuments: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601Timestamp.format(date))
        }
        return encoder
    }
}
