import Foundation
import LongMemHarness

/// The text of a Project Gutenberg file without PG's header and footer.
///
/// PG files wrap the book in boilerplate: a header that ends with a line like
/// `*** START OF THE PROJECT GUTENBERG EBOOK <TITLE> ***` and a footer (license, donation notes) that begins
/// with `*** END OF THE PROJECT GUTENBERG EBOOK <TITLE> ***`. Perplexity and ChapterBreak want only the
/// book. Variants seen in real files, all handled:
/// - "THIS PROJECT" (older files) or "THE PROJECT"; no space after the stars; the marker wrapped onto a
///   second line when the title is long (`*** START OF ... "THE MURDEROUS TYRANNY OF THE` / `TURKS" ***`);
/// - two START markers, when a repository kept PG's inner header below its own marker: the book starts
///   after the last START before the END;
/// - the pre-2000s header ending `*END*THE SMALL PRINT! ...`;
/// - the older trailer line `End of the Project Gutenberg EBook of ...` / `End of Project Gutenberg's ...`,
///   which precedes the END marker or, in stripped repositories, is the only boilerplate left;
/// - no markers at all: the whole text is kept (less such a trailer).
///
/// Line endings become LF (CRLF and lone CR) and a leading UTF-8 byte-order mark is dropped, so that offsets
/// and token counts do not depend on how the file was saved. Blank lines at either end are trimmed.
public struct GutenbergText: Equatable, Sendable {
    /// The book text.
    public let body: String
    /// The START marker the body follows (joined into one line when wrapped), if any.
    public let startMarker: String?
    /// The END marker the body precedes, if any.
    public let endMarker: String?
    /// The `End of the Project Gutenberg EBook ...` line cut from the end of the body, if any.
    public let trailer: String?

    /// Strips `raw` (any line endings, with or without a byte-order mark).
    public init(_ raw: String) {
        let text = Self.normalizeLineEndings(raw)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let markers = Self.markers(in: lines)
        let starts = markers.filter { $0.kind == .start }
        let end: Marker?
        if let firstStart = starts.first {
            end = markers.first { $0.kind == .end && $0.lines.lowerBound > firstStart.lines.upperBound }
        } else {
            end = markers.first { $0.kind == .end }
        }
        let limit = end?.lines.lowerBound ?? lines.count
        let start = starts.last { $0.lines.upperBound < limit }
        var bodyLines = lines[(start.map { $0.lines.upperBound + 1 } ?? 0)..<limit]
        var trailer: String?
        if let index = bodyLines.lastIndex(where: Self.isTrailer) {
            trailer = bodyLines[index].trimmingCharacters(in: .whitespaces)
            bodyLines = bodyLines[bodyLines.startIndex..<index]
        }
        while let first = bodyLines.first, Self.isBlank(first) { bodyLines.removeFirst() }
        while let last = bodyLines.last, Self.isBlank(last) { bodyLines.removeLast() }
        body = bodyLines.joined(separator: "\n")
        startMarker = start?.text
        endMarker = end?.text
        self.trailer = trailer
    }

    /// Reads and strips a UTF-8 file (errors name the file: missing, not UTF-8, empty).
    public init(contentsOfFile path: String) throws {
        self.init(try TextFile.read(path))
    }

    /// CRLF and lone CR to LF; a leading byte-order mark dropped.
    public static func normalizeLineEndings(_ text: String) -> String {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        guard text.unicodeScalars.contains("\r") else { return text }
        // "\r\n" is one Character in Swift, so work on scalars.
        var scalars = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                scalars.append("\n")
                previousWasCR = true
            } else {
                if !(scalar == "\n" && previousWasCR) { scalars.append(scalar) }
                previousWasCR = false
            }
        }
        return String(scalars)
    }

    struct Marker {
        enum Kind { case start, end }
        let kind: Kind
        /// The line indices the marker spans (inclusive).
        let lines: ClosedRange<Int>
        let text: String
    }

    /// The START and END markers in order. A marker line starts with `***` and names START OF / END OF; it may
    /// wrap onto up to two more lines, up to the line that closes it with `***`.
    static func markers(in lines: [Substring]) -> [Marker] {
        var found: [Marker] = []
        var index = 0
        while index < lines.count {
            // Only lines that start with a star can be markers; most lines are skipped here cheaply.
            guard lines[index].first(where: { $0 != " " && $0 != "\t" }) == "*" else {
                index += 1
                continue
            }
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            let upper = line.uppercased()
            if upper.hasPrefix("*END*THE SMALL PRINT") {
                found.append(Marker(kind: .start, lines: index...index, text: line))
                index += 1
                continue
            }
            guard upper.hasPrefix("***") else {
                index += 1
                continue
            }
            let opening = upper.drop { $0 == "*" }.trimmingCharacters(in: .whitespaces)
            let kind: Marker.Kind
            if opening.hasPrefix("START OF") {
                kind = .start
            } else if opening.hasPrefix("END OF") {
                kind = .end
            } else {
                index += 1
                continue
            }
            var last = index
            var joined = line
            while !joined.dropFirst(3).contains("***"), last + 1 < lines.count, last < index + 2 {
                last += 1
                joined += " " + lines[last].trimmingCharacters(in: .whitespaces)
            }
            if !joined.dropFirst(3).contains("***") { last = index; joined = line }
            if joined.uppercased().contains("PROJECT GUTENBERG") {
                found.append(Marker(kind: kind, lines: index...last, text: joined))
                index = last + 1
            } else {
                index += 1
            }
        }
        return found
    }

    /// `End of the Project Gutenberg EBook of ...`, `End of Project Gutenberg's ...`, `End of this Project
    /// Gutenberg Etext ...`.
    static func isTrailer(_ line: Substring) -> Bool {
        guard let first = line.first(where: { $0 != " " && $0 != "\t" }), first == "E" || first == "e" else {
            return false
        }
        let lower = line.trimmingCharacters(in: .whitespaces).lowercased()
        return ["end of the project gutenberg", "end of project gutenberg", "end of this project gutenberg"]
            .contains { lower.hasPrefix($0) }
    }

    static func isBlank(_ line: Substring) -> Bool { line.allSatisfy(\.isWhitespace) }
}
