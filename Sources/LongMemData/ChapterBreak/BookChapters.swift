import Foundation

/// The chapters found in one book's text, and how they were found.
///
/// Line numbers are 0-based indices into the text's lines (`\n`-separated); the report shows them 1-based.
public struct BookChapters: Sendable {
    public struct Chapter: Equatable, Sendable {
        /// The heading as printed, with its subtitle when the heading is only a number
        /// (`CHAPTER I / DR. SHEPPARD AT THE BREAKFAST TABLE`).
        public let heading: String
        /// The heading's first line.
        public let headingLine: Int
        /// The first line after the heading (and subtitle).
        public let bodyStart: Int
        /// The line after the chapter's last line: the next chapter's or part's heading, back matter, or the end.
        public let bodyEnd: Int
        /// Whitespace-separated words of the body.
        public let words: Int
        /// The part heading the chapter belongs to (`PART II. _The Country of the Saints._`), if any.
        public let part: String?
    }

    /// A heading candidate the detector did not count, and why.
    public struct DroppedHeading: Equatable, Sendable {
        public let heading: String
        public let line: Int
        public let reason: String
    }

    /// The chosen style; nil when no style gave chapters.
    public let style: ChapterHeadingStyle?
    public let chapters: [Chapter]
    /// Part headings that hold chapters, in order.
    public let parts: [String]
    /// Candidates of the chosen style that were not counted (tables of contents, half-titles).
    public let dropped: [DroppedHeading]
    /// Why other styles were not chosen, or why none was (one line each).
    public let notes: [String]
    /// The text, split into lines with their offsets and word counts.
    let page: BookLines
    /// Lines that are part headings or other heading residue that may end a prefix (see `prefix(before:)`).
    let partLines: Set<Int>

    init(
        style: ChapterHeadingStyle?, chapters: [Chapter], parts: [String], dropped: [DroppedHeading],
        notes: [String], page: BookLines, partLines: Set<Int>
    ) {
        self.style = style
        self.chapters = chapters
        self.parts = parts
        self.dropped = dropped
        self.notes = notes
        self.page = page
        self.partLines = partLines
    }

    /// The text's lines.
    public var lines: [String] { page.lines }

    /// The whole text before chapter `index`'s heading, without the blank lines, part heading and other
    /// heading residue (a half-title in capitals, a page number, an illustration tag) that stand between the
    /// previous chapter's last words and that heading: the prefix ends where the previous chapter's text ends.
    public func prefix(before index: Int) -> String {
        page.text(lines: 0..<prefixEnd(before: index))
    }

    /// Words (whitespace-separated) of `prefix(before:)`.
    public func prefixWordCount(before index: Int) -> Int {
        page.words(in: 0..<prefixEnd(before: index))
    }

    /// The line after the prefix's last line.
    func prefixEnd(before index: Int) -> Int {
        let lines = page.lines
        let chapter = chapters[index]
        let floor = index > 0 ? chapters[index - 1].bodyStart : 0
        var end = chapter.headingLine
        while end > floor {
            if Self.isBlank(lines[end - 1]) {
                end -= 1
                continue
            }
            // The paragraph that ends at `end`.
            var start = end - 1
            while start > floor, !Self.isBlank(lines[start - 1]) { start -= 1 }
            let paragraph = start..<end
            let isPart = paragraph.count == 1 && partLines.contains(start)
            guard isPart || Self.isResidue(lines[paragraph]) else { break }
            end = start
        }
        return end
    }

    /// The first `words` words of chapter `index`'s body, with the text's own line breaks.
    public func beginning(of index: Int, words: Int) -> String {
        let chapter = chapters[index]
        return Self.firstWords(words, of: page.text(lines: chapter.bodyStart..<chapter.bodyEnd))
    }

    /// The text up to the end of the `count`-th word (whitespace-separated), leading and trailing
    /// whitespace trimmed.
    static func firstWords(_ count: Int, of text: String) -> String {
        var seen = 0
        var inWord = false
        var start: String.Index?
        var end = text.endIndex
        for index in text.indices {
            let isSpace = text[index].isWhitespace
            if !isSpace && !inWord {
                if seen == count {
                    end = index
                    break
                }
                seen += 1
                if start == nil { start = index }
            }
            inWord = !isSpace
        }
        guard let start else { return "" }
        var slice = text[start..<end]
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    /// A short paragraph in capitals (`THE VOYAGE` / `TO NO-SUCH LAND`), a bare page number (`11)`), or an
    /// illustration tag: print furniture between chapters rather than text.
    static func isResidue(_ paragraph: ArraySlice<String>) -> Bool {
        if paragraph.count == 1, let line = paragraph.first {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[Illustration") && trimmed.hasSuffix("]") { return true }
        }
        guard paragraph.count <= 3 else { return false }
        return paragraph.allSatisfy { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.count <= 60 && !trimmed.contains(where: \.isLowercase)
        }
    }

    static func isBlank(_ line: String) -> Bool { line.allSatisfy(\.isWhitespace) }

    /// `9 chapters (roman-numeral): I, II, III, IV, ...` or `no chapters: <note>`.
    public func summary(headings shown: Int = 4) -> String {
        guard let style, !chapters.isEmpty else {
            return "no chapters" + (notes.isEmpty ? "" : ": " + notes.joined(separator: "; "))
        }
        var text = "\(chapters.count) chapter\(chapters.count == 1 ? "" : "s")"
        if !parts.isEmpty { text += " in \(parts.count) part\(parts.count == 1 ? "" : "s")" }
        text += " (\(style.rawValue))"
        let first = chapters.prefix(shown).map { "\"\($0.heading)\"" }.joined(separator: ", ")
        text += ": " + first + (chapters.count > shown ? ", ..." : "")
        return text
    }
}
