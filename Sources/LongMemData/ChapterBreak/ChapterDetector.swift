import Foundation

/// Finds the chapters of a Project Gutenberg book (text already stripped by `GutenbergText`).
///
/// Every line that could be a heading is classified into one of four styles (`ChapterHeadingStyle`); the book
/// is taken to use the strongest style that yields chapters, in the order keyword (`CHAPTER I`), roman
/// numeral, arabic numeral, capitals title. One style per book is what makes the heuristics safe: a book with
/// `CHAPTER` headings never has a shouted line of dialogue (`HELP!`) or a sign in capitals counted, because
/// capitals titles are only considered when no numbered style works.
///
/// Candidates must stand at the start of a paragraph (after a blank line); numerals and capitals titles must
/// be alone between blank lines. A capitals title must also read like a title (a word of three letters or
/// more, no trailing "THE" or "OF" of a title broken over lines), not sit far right like a signature, and be
/// followed by prose (a paragraph of ten words or more with lower-case letters among the next three: title
/// pages and lists of titles have none). Then, within the chosen style:
/// - a candidate followed by fewer than `minimumChapterWords` words before the next candidate is not a
///   chapter (a table-of-contents line, a half-title): tables of contents are runs of such candidates;
/// - the candidate right after such a run (the last table-of-contents line, followed by a preface or an
///   epigraph rather than a heading) is dropped too when the same heading appears again later;
/// - a style is only accepted when its chapters have a median length of at least
///   `minimumMedianChapterWords`: headings every few hundred words are section titles of an essay or the
///   titles of poems, not chapters.
/// `PART ONE`, `PART II.`, `BOOK THE FIRST` are part headings: they end the chapter before them but are
/// not chapters. Front and back matter (`CONTENTS`, `PREFACE`, `THE END`, `FOOTNOTES`, ...) are never
/// chapters, and back matter ends the last chapter.
public struct ChapterDetector: Sendable {
    /// Fewer words than this before the next heading: not a chapter.
    public var minimumChapterWords: Int
    /// Median chapter length below this: the style's headings are section or poem titles.
    public var minimumMedianChapterWords: Int

    public init(minimumChapterWords: Int = 100, minimumMedianChapterWords: Int = 500) {
        self.minimumChapterWords = minimumChapterWords
        self.minimumMedianChapterWords = minimumMedianChapterWords
    }

    struct Candidate {
        let line: Int
        let style: ChapterHeadingStyle
        /// The heading line, trimmed.
        let text: String
        /// A title paragraph under a bare number heading.
        let subtitle: String?
        /// The last line of the heading block (the heading, or its subtitle).
        let headingEnd: Int
        /// Identifies a heading across a table of contents and the body: number and title, letters only.
        let key: String

        var heading: String { subtitle.map { text + " / " + $0 } ?? text }
    }

    /// Detects the chapters of `text`.
    public func detect(in text: String) -> BookChapters {
        let page = BookLines(text: text)
        var byStyle: [ChapterHeadingStyle: [Candidate]] = [:]
        var partLines: [Int] = []
        var backMatterLines: [Int] = []
        for line in page.lines.indices where !page.blank[line] && page.precededByBlank(line) {
            let trimmed = page.lines[line].trimmingCharacters(in: .whitespaces)
            if Self.isBackMatter(trimmed) {
                backMatterLines.append(line)
            } else if page.followedByBlank(line), Self.partNumber(trimmed) != nil {
                partLines.append(line)
            } else if let candidate = keywordCandidate(page, line, trimmed) ?? numeralCandidate(page, line, trimmed)
                ?? capitalCandidate(page, line, trimmed)
            {
                byStyle[candidate.style, default: []].append(candidate)
            }
        }

        var notes: [String] = []
        for style in ChapterHeadingStyle.allCases {
            guard let candidates = byStyle[style], !candidates.isEmpty else { continue }
            let (kept, dropped) = filter(candidates, page: page)
            let chapters = makeChapters(kept, page: page, partLines: partLines, backMatterLines: backMatterLines)
            let median = Self.median(chapters.map(\.words))
            if chapters.count < 2 {
                notes.append(
                    "\(style.rawValue): \(chapters.count) heading\(chapters.count == 1 ? "" : "s") kept of \(candidates.count)"
                )
                continue
            }
            if median < minimumMedianChapterWords {
                notes.append(
                    "\(style.rawValue): \(chapters.count) headings with a median of \(median) words "
                        + "(under \(minimumMedianChapterWords): section or poem titles, not chapters)")
                continue
            }
            let parts = chapters.compactMap(\.part).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
            return BookChapters(
                style: style, chapters: chapters, parts: parts, dropped: dropped, notes: notes, page: page,
                partLines: Set(partLines))
        }
        if byStyle.isEmpty { notes.append("no heading candidates") }
        return BookChapters(
            style: nil, chapters: [], parts: [], dropped: [], notes: notes, page: page, partLines: Set(partLines))
    }

    /// Drops table-of-contents lines and half-titles (see the type's documentation).
    func filter(
        _ candidates: [Candidate], page: BookLines
    ) -> (kept: [Candidate], dropped: [BookChapters.DroppedHeading]) {
        let gaps = candidates.indices.map { index in
            let end = index + 1 < candidates.count ? candidates[index + 1].line : page.lines.count
            return page.words(in: (candidates[index].headingEnd + 1)..<max(candidates[index].headingEnd + 1, end))
        }
        var reasons = [String?](repeating: nil, count: candidates.count)
        var shortRun = 0
        for index in candidates.indices {
            if gaps[index] < minimumChapterWords {
                reasons[index] = "only \(gaps[index]) words before the next heading (table of contents or half-title)"
                shortRun += 1
                continue
            }
            if shortRun >= 2, candidates[(index + 1)...].contains(where: { $0.key == candidates[index].key }) {
                reasons[index] = "last line of a table of contents (the heading appears again later)"
            }
            shortRun = 0
        }
        var kept: [Candidate] = []
        var dropped: [BookChapters.DroppedHeading] = []
        for (candidate, reason) in zip(candidates, reasons) {
            if let reason {
                dropped.append(.init(heading: candidate.heading, line: candidate.line, reason: reason))
            } else {
                kept.append(candidate)
            }
        }
        return (kept, dropped)
    }

    func makeChapters(
        _ kept: [Candidate], page: BookLines, partLines: [Int], backMatterLines: [Int]
    ) -> [BookChapters.Chapter] {
        kept.indices.map { index in
            let candidate = kept[index]
            var end = index + 1 < kept.count ? kept[index + 1].line : page.lines.count
            if let part = partLines.first(where: { $0 > candidate.line }) { end = min(end, part) }
            if index + 1 == kept.count, let back = backMatterLines.first(where: { $0 > candidate.headingEnd }) {
                end = min(end, back)
            }
            let start = min(candidate.headingEnd + 1, end)
            let part = partLines.last(where: { $0 < candidate.line }).map {
                page.lines[$0].trimmingCharacters(in: .whitespaces)
            }
            return BookChapters.Chapter(
                heading: candidate.heading, headingLine: candidate.line, bodyStart: start, bodyEnd: end,
                words: page.words(in: start..<end), part: part)
        }
    }

    // MARK: - Heading styles

    /// `CHAPTER I`, `Chapter 12.`, `CHAP. IV`, `Chapter the First`, `CHAPTER XVIII.—THE SEALED LETTER.`; the
    /// heading's paragraph must be short (a prose paragraph that starts with "Chapter one of ..." is not).
    func keywordCandidate(_ page: BookLines, _ line: Int, _ trimmed: String) -> Candidate? {
        let upper = trimmed.uppercased()
        let rest: Substring
        if upper.hasPrefix("CHAPTER "), trimmed.count <= 100 {
            rest = trimmed.dropFirst("CHAPTER ".count)
        } else if upper.hasPrefix("CHAP. "), trimmed.count <= 100 {
            rest = trimmed.dropFirst("CHAP. ".count)
        } else {
            return nil
        }
        guard let (number, title) = Self.leadingNumber(rest) else { return nil }
        let paragraph = line..<page.paragraphEnd(from: line)
        guard paragraph.count <= 4, page.words(in: paragraph) <= 30 else { return nil }
        return numbered(page, line, trimmed, style: .chapterKeyword, number: number, title: title)
    }

    /// A roman numeral or a number alone between blank lines, with an optional period.
    func numeralCandidate(_ page: BookLines, _ line: Int, _ trimmed: String) -> Candidate? {
        guard page.followedByBlank(line) else { return nil }
        let bare = trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed
        if let number = HeadingNumber.roman(bare), number <= 150, bare == bare.uppercased() {
            return numbered(page, line, trimmed, style: .romanNumeral, number: number, title: "")
        }
        if let number = HeadingNumber.digits(bare), number <= 300 {
            return numbered(page, line, trimmed, style: .arabicNumeral, number: number, title: "")
        }
        return nil
    }

    /// A title in capitals alone between blank lines, followed by prose.
    func capitalCandidate(_ page: BookLines, _ line: Int, _ trimmed: String) -> Candidate? {
        guard page.followedByBlank(line), trimmed.count <= 60, trimmed.filter(\.isLetter).count >= 2,
            !trimmed.contains(where: \.isLowercase), let first = trimmed.first, !"\"“‘'([*".contains(first),
            let last = trimmed.last, !",;:".contains(last), !Self.isFrontMatter(trimmed),
            Self.isTitleWording(trimmed), !Self.isRightAligned(page.lines[line]), page.isFollowedByProse(line)
        else { return nil }
        return Candidate(
            line: line, style: .capitalTitle, text: trimmed, subtitle: nil, headingEnd: line,
            key: Self.letters(Self.droppingPageNumber(trimmed)))
    }

    /// A numbered heading, with the title paragraph under it when the heading line has no title of its own.
    func numbered(
        _ page: BookLines, _ line: Int, _ trimmed: String, style: ChapterHeadingStyle, number: Int, title: String
    ) -> Candidate {
        var subtitle: String?
        var headingEnd = page.paragraphEnd(from: line) - 1
        if title.isEmpty, headingEnd == line, let next = page.nextNonBlank(after: line), next - line <= 5 {
            let paragraph = next..<page.paragraphEnd(from: next)
            if Self.isTitle(page.lines[paragraph], words: page.words(in: paragraph)),
                !Self.isHeadingLine(page.lines[next].trimmingCharacters(in: .whitespaces)),
                !Self.isFrontMatter(page.lines[next].trimmingCharacters(in: .whitespaces)),
                page.nextNonBlank(after: paragraph.upperBound - 1) != nil
            {
                subtitle = page.lines[paragraph].map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
                headingEnd = paragraph.upperBound - 1
            }
        }
        let name = title.isEmpty ? (subtitle ?? "") : title
        return Candidate(
            line: line, style: style, text: trimmed, subtitle: subtitle, headingEnd: headingEnd,
            key: "\(number)|" + Self.letters(name))
    }

    /// A subtitle: up to four lines in capitals (`DR. SHEPPARD AT THE BREAKFAST TABLE`), or one short line
    /// that does not end like a sentence (`The Science of Deduction`, `The Adventure of “The Western Star”`).
    static func isTitle(_ paragraph: ArraySlice<String>, words: Int) -> Bool {
        guard paragraph.count <= 4, words <= 20, let first = paragraph.first else { return false }
        let joined = paragraph.joined(separator: " ")
        if !joined.contains(where: \.isLowercase) && joined.filter(\.isLetter).count >= 2 { return true }
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        guard paragraph.count == 1, words <= 12, let initial = trimmed.first, initial.isUppercase || initial == "_"
        else { return false }
        let core = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "\"”’'_)]* "))
        guard let last = core.last else { return false }
        return !".!?,;:".contains(last)
    }

    /// Words that end no title: a capitals line ending with one is the first line of a title broken in two
    /// (`THE` / `DEDICATION.`, `FROM THE` / `SLAVE TRADE.`).
    static let connectives: Set<String> = [
        "THE", "A", "AN", "OF", "AND", "TO", "IN", "BY", "FROM", "FOR", "WITH", "ON", "AT", "OR", "AS",
    ]

    /// A title has a word of three letters or more (not initials such as `J. S.` or `H. J.`) and does not end
    /// with a connective.
    static func isTitleWording(_ trimmed: String) -> Bool {
        let words = Self.words(trimmed).split(separator: " ")
        guard let last = words.last, words.contains(where: { $0.count >= 3 }) else { return false }
        return !connectives.contains(String(last))
    }

    /// Set far to the right of where a centred title would be: a signature or an attribution (`GLADSTONE.`).
    static func isRightAligned(_ line: String) -> Bool {
        let indent = line.prefix(while: { $0 == " " || $0 == "\t" }).reduce(0) { $0 + ($1 == "\t" ? 8 : 1) }
        let length = line.trimmingCharacters(in: .whitespaces).count
        return indent > (72 - length) / 2 + 10
    }

    /// A line that is a heading of its own (the next line of a table of contents), never a subtitle.
    static func isHeadingLine(_ trimmed: String) -> Bool {
        let upper = trimmed.uppercased()
        if upper.hasPrefix("CHAPTER ") || upper.hasPrefix("CHAP. ") || partNumber(trimmed) != nil { return true }
        let bare = trimmed.hasSuffix(".") ? String(trimmed.dropLast()) : trimmed
        return HeadingNumber.roman(bare) != nil || HeadingNumber.digits(bare) != nil
    }

    // MARK: - Part headings, front and back matter

    /// The number of `PART ONE`, `PART II.`, `Part 2: Title`, `BOOK THE FIRST`, `VOLUME III` (a short line),
    /// else nil.
    static func partNumber(_ trimmed: String) -> Int? {
        guard trimmed.count <= 60 else { return nil }
        let upper = trimmed.uppercased()
        for keyword in ["PART ", "BOOK ", "VOLUME ", "VOL. "] where upper.hasPrefix(keyword) {
            guard let (number, _) = leadingNumber(trimmed.dropFirst(keyword.count)) else { return nil }
            return number
        }
        return nil
    }

    /// Headings that are never chapters: front matter, and back matter.
    static let frontMatter: Set<String> = [
        "CONTENTS", "TABLE OF CONTENTS", "ILLUSTRATIONS", "LIST OF ILLUSTRATIONS", "PREFACE", "AUTHORS PREFACE",
        "INTRODUCTION", "FOREWORD", "DEDICATION", "ERRATA", "BIBLIOGRAPHY", "ADVERTISEMENTS", "BY",
    ]
    static let backMatter: Set<String> = [
        "THE END", "END", "FINIS", "FOOTNOTES", "NOTES", "GLOSSARY", "APPENDIX", "INDEX", "TRANSCRIBERS NOTE",
        "TRANSCRIBERS NOTES", "ORIGINAL TRANSCRIBERS NOTES",
    ]

    static func isFrontMatter(_ trimmed: String) -> Bool {
        frontMatter.contains(words(trimmed)) || isBackMatter(trimmed)
    }

    static func isBackMatter(_ trimmed: String) -> Bool {
        trimmed.count <= 40 && backMatter.contains(words(trimmed))
    }

    // MARK: - Text helpers

    /// A chapter number at the start of `text` (after an optional "the"), and the rest of the line without the
    /// separator (`.`, `:`, `—`, `-`): ("XVIII", ".—THE SEALED LETTER.") -> (18, "THE SEALED LETTER.").
    static func leadingNumber(_ text: Substring) -> (Int, String)? {
        var rest = text.drop(while: { $0 == " " })
        if rest.uppercased().hasPrefix("THE ") { rest = rest.dropFirst(4).drop(while: { $0 == " " }) }
        let token = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" })
        guard !token.isEmpty else { return nil }
        var word = String(token)
        while word.hasSuffix("-") { word.removeLast() }
        var after = rest.dropFirst(token.count)
        var number = HeadingNumber.digits(word) ?? HeadingNumber.words(word)
        if number == nil, word == word.uppercased() || word.count == 1 { number = HeadingNumber.roman(word) }
        if number == nil, word.count > 1, word.dropFirst() == word.dropFirst().lowercased() {
            number = HeadingNumber.roman(word)  // "Chapter Iv" is rare; "Chapter iv" is not
        }
        // Chapter numbers stay small; "Chapter Mix" is not chapter 1009.
        guard var value = number, value <= 999 else { return nil }
        // "Twenty One": a tens word followed by a unit word.
        if value >= 20, value % 10 == 0 {
            let unitToken = after.drop(while: { $0 == " " }).prefix(while: \.isLetter)
            if let unit = HeadingNumber.words(unitToken), unit < 10 {
                value += unit
                after = after.drop(while: { $0 == " " }).dropFirst(unitToken.count)
            }
        }
        // What follows the number must be a separator or the end: "Chapter Iron" is not chapter 1.
        if let next = after.first, next.isLetter || next.isNumber { return nil }
        let title = after.drop(while: { " .:—–-,".contains($0) }).trimmingCharacters(in: .whitespaces)
        return (value, title)
    }

    /// Upper-case letters and digits only: the comparable core of a heading.
    static func letters(_ text: String) -> String {
        String(text.uppercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// Letters, digits and single spaces, upper-cased: `AUTHOR’S PREFACE.` -> `AUTHORS PREFACE`.
    static func words(_ text: String) -> String {
        text.uppercased().split(separator: " ").map { word in
            String(word.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// A table-of-contents line without its page number: `BUMPS AND THE MAGIC PURSE   11` -> the title.
    static func droppingPageNumber(_ text: String) -> String {
        var words = text.split(separator: " ")
        if words.count > 1, let last = words.last, last.allSatisfy(\.isNumber) { words.removeLast() }
        return words.joined(separator: " ")
    }

    static func median(_ values: [Int]) -> Int {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// The text as lines, with what the detector asks about them precomputed.
struct BookLines: Sendable {
    let text: String
    let lines: [String]
    let blank: [Bool]
    /// `cumulativeWords[i]` = words in lines `0..<i`.
    let cumulativeWords: [Int]
    /// UTF-8 offset of each line's first byte in `text`, and the text's length at the end.
    let lineStarts: [Int]

    init(text: String) {
        self.text = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        blank = lines.map { $0.allSatisfy(\.isWhitespace) }
        var total = 0
        var offset = 0
        var cumulative = [0]
        var starts: [Int] = []
        cumulative.reserveCapacity(lines.count + 1)
        starts.reserveCapacity(lines.count + 1)
        for line in lines {
            starts.append(offset)
            offset += line.utf8.count + 1
            total += line.split(whereSeparator: \.isWhitespace).count
            cumulative.append(total)
        }
        starts.append(text.utf8.count)
        cumulativeWords = cumulative
        lineStarts = starts
    }

    /// Lines `range` joined by newlines, cut out of the text (no re-joining of line strings).
    func text(lines range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: lineStarts[range.lowerBound])
        let endOffset = range.upperBound < lines.count ? lineStarts[range.upperBound] - 1 : lineStarts[lines.count]
        let end = utf8.index(utf8.startIndex, offsetBy: endOffset)
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }

    func words(in range: Range<Int>) -> Int { cumulativeWords[range.upperBound] - cumulativeWords[range.lowerBound] }
    func precededByBlank(_ line: Int) -> Bool { line == 0 || blank[line - 1] }
    func followedByBlank(_ line: Int) -> Bool { line + 1 == lines.count || blank[line + 1] }

    /// The first blank line at or after `line` (or the end).
    func paragraphEnd(from line: Int) -> Int {
        var end = line
        while end < lines.count, !blank[end] { end += 1 }
        return end
    }

    /// Whether one of the next three paragraphs (illustration tags aside) is prose: ten words or more, with
    /// lower-case letters. Title pages and lists of titles have short or all-capitals paragraphs.
    func isFollowedByProse(_ line: Int) -> Bool {
        var cursor = line
        var paragraphs = 0
        while paragraphs < 3, let next = nextNonBlank(after: cursor) {
            let end = paragraphEnd(from: next)
            cursor = end - 1
            let first = lines[next].trimmingCharacters(in: .whitespaces)
            if first.hasPrefix("[Illustration") { continue }
            paragraphs += 1
            if words(in: next..<end) >= 10, lines[next..<end].contains(where: { $0.contains(where: \.isLowercase) }) {
                return true
            }
        }
        return false
    }

    func nextNonBlank(after line: Int) -> Int? {
        var next = line + 1
        while next < lines.count, blank[next] { next += 1 }
        return next < lines.count ? next : nil
    }
}
