import Foundation

/// What `ChapterBreakBuilder` made: the file in the official layout, and its metadata sidecar.
public struct ChapterBreakBuild: Equatable, Sendable {
    public let file: ChapterBreakFile
    public let metadata: ChapterBreakBuildMetadata

    /// One line per book: what was detected and how many examples it gave, or why it was skipped.
    public var report: [String] {
        metadata.books.map { book in
            let name = (book.path as NSString).lastPathComponent
            let head = "\(name) (work \(book.workID)): "
            guard let style = book.headingStyle, !book.chapters.isEmpty else {
                let why = book.notes.isEmpty ? "" : " (" + book.notes.joined(separator: "; ") + ")"
                return head + "0 chapters" + why + (book.skipReason.map { "; skipped: \($0)" } ?? "")
            }
            var line = head + "\(book.chapters.count) chapters"
            if !book.parts.isEmpty { line += " in \(book.parts.count) parts" }
            line += " (\(style))"
            let shown = book.chapters.prefix(3).map { "\"\($0.heading)\"" }.joined(separator: ", ")
            line += ": " + shown + (book.chapters.count > 3 ? ", ..." : "")
            if !book.droppedHeadings.isEmpty { line += "; \(book.droppedHeadings.count) headings not counted" }
            if let reason = book.skipReason { return line + "; skipped: \(reason)" }
            return line + "; \(book.examples) examples"
        }
    }

    /// Writes the file and its sidecar (`<path>.meta.json`), each atomically.
    public func write(to path: String) throws(DataError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let sidecar: Data
        do { sidecar = try encoder.encode(metadata) } catch {
            throw DataError.unwritable(path: path + ".meta.json", reason: "\(error)")
        }
        try file.write(to: path)
        try ChapterBreakFile.write(sidecar + Data("\n".utf8), to: path + ".meta.json")
    }
}
