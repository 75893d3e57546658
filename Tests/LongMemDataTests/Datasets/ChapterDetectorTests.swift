import Foundation
import LongMemData
import Testing

/// Chapter detection on the shared Project Gutenberg books. Every expected count below was checked by reading
/// the book's text (its table of contents, where it has one, and every heading in the body).
@Suite("Chapter detection")
struct ChapterDetectorTests {
    struct Expectation: Sendable, CustomTestStringConvertible {
        let file: String
        let chapters: Int
        let style: ChapterHeadingStyle?
        let first: String?
        let last: String?
        var testDescription: String { file }
    }

    static let books: [Expectation] = [
        // The Great Gatsby: I-IX (its "Table of Contents" lists I-IX on consecutive lines).
        .init(file: "pg22_like/pg64317.txt", chapters: 9, style: .romanNumeral, first: "I", last: "IX"),
        // A Study in Scarlet: Part I chapters I-VII, Part II chapters I-VII.
        .init(
            file: "pg19_era/244-0.txt", chapters: 14, style: .chapterKeyword, first: "CHAPTER I. MR. SHERLOCK HOLMES.",
            last: "CHAPTER VII. THE CONCLUSION."),
        // The Sign of the Four: Chapter I-XII, each with a title line under it.
        .init(
            file: "pg19_era/pg2097.txt", chapters: 12, style: .chapterKeyword,
            first: "Chapter I / The Science of Deduction", last: "Chapter XII / The Strange Story of Jonathan Small"),
        // Dr Jekyll and Mr Hyde: ten titled chapters in capitals, from STORY OF THE DOOR to HENRY JEKYLL'S FULL
        // STATEMENT OF THE CASE.
        .init(
            file: "pg19_era/pg42.txt", chapters: 10, style: .capitalTitle, first: "STORY OF THE DOOR",
            last: "HENRY JEKYLL'S FULL STATEMENT OF THE CASE"),
        // Poirot Investigates: this is the 1924 Bodley Head (UK) edition, whose CONTENTS lists 11 stories (the
        // US edition has 14); headings are numerals I-XI with the story title under them.
        .init(
            file: "pg22_like/pg61262.txt", chapters: 11, style: .romanNumeral,
            first: "I / The Adventure of “The Western Star”", last: "XI / The Case of the Missing Will"),
        // The Murder of Roger Ackroyd: CHAPTER I-XXVII, each with a title in capitals (the CONTENTS lists 27).
        .init(
            file: "pg22_like/pg69087.txt", chapters: 27, style: .chapterKeyword,
            first: "CHAPTER I / DR. SHEPPARD AT THE BREAKFAST TABLE", last: "CHAPTER XXVII / APOLOGIA"),
        // Winnie-the-Pooh: CHAPTER I-X with "IN WHICH ..." titles over up to three lines.
        .init(
            file: "pg22_like/pg67098.txt", chapters: 10, style: .chapterKeyword,
            first: "CHAPTER I / IN WHICH WE ARE INTRODUCED TO WINNIE-THE-POOH AND SOME BEES, AND THE STORIES BEGIN",
            last: "CHAPTER X / IN WHICH CHRISTOPHER ROBIN GIVES POOH A PARTY, AND WE SAY GOOD-BYE"),
        // Bumps and His Buddies: seven stories titled in capitals (its CONTENTS lists seven).
        .init(
            file: "pg22_like/pg67100.txt", chapters: 7, style: .capitalTitle, first: "BUMPS AND THE MAGIC PURSE",
            last: "PATSY ANN IN BIRDLAND"),
        // Cultural Exchange: a story in five numbered parts, I-V.
        .init(file: "pg22_like/pg61263.txt", chapters: 5, style: .romanNumeral, first: "I", last: "V"),
        // Castle Rackrent: no chapters; the five numbered sections I-V of the editor's introduction are what is
        // found (the memoir itself has no numbered chapters).
        .init(file: "pg19_era/1424-0.txt", chapters: 5, style: .romanNumeral, first: "I", last: "V"),
        // Short stories without headings, a book of poems, a pamphlet with section titles, a magazine issue
        // (two chapters of a serial), an 18th-century tract: no chapters.
        .init(file: "pg22_like/pg65240.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(file: "pg22_like/pg65241.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(file: "pg22_like/pg65242.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(file: "pg22_like/pg65246.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(file: "pg22_like/pg64318.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(file: "pg22_like/pg65248.txt", chapters: 0, style: nil, first: nil, last: nil),
        .init(
            file: "pg22_like/pg65239.txt", chapters: 2, style: .chapterKeyword,
            first: "CHAPTER XVIII.—THE SEALED LETTER.", last: "CHAPTER XIX.—THE FIRST INTERVIEW."),
        .init(file: "pg22_like/pg69090.txt", chapters: 0, style: nil, first: nil, last: nil),
    ]

    static func detect(_ file: String) throws -> (GutenbergText, BookChapters) {
        let text = try GutenbergText(contentsOfFile: try DatasetTestPaths.require("longtext/" + file))
        return (text, ChapterDetector().detect(in: text.body))
    }

    @Test("detected chapters match the books", arguments: books)
    func realBook(_ expected: Expectation) throws {
        let (_, book) = try Self.detect(expected.file)
        #expect(book.chapters.count == expected.chapters, "\(expected.file): \(book.summary())")
        #expect(book.style == expected.style, "\(expected.file): \(book.summary())")
        #expect(book.chapters.first?.heading == expected.first)
        #expect(book.chapters.last?.heading == expected.last)
        // Every chapter is long enough to give a whole suffix.
        for chapter in book.chapters { #expect(chapter.words >= 150, "\(expected.file): \(chapter.heading)") }
    }

    @Test("A Study in Scarlet: 14 chapters in 2 parts; PART headings are not chapters")
    func parts() throws {
        let (_, book) = try Self.detect("pg19_era/244-0.txt")
        #expect(book.parts == ["PART I.", "PART II. _The Country of the Saints._"])
        #expect(book.chapters.prefix(7).allSatisfy { $0.part == "PART I." })
        #expect(book.chapters.suffix(7).allSatisfy { $0.part == "PART II. _The Country of the Saints._" })
        #expect(book.chapters.filter { $0.heading.hasPrefix("CHAPTER I.") }.count == 2)
        // The prefix before Part II's first chapter ends with Part I's last words, not with the part heading.
        let prefix = book.prefix(before: 7)
        #expect(prefix.hasSuffix("there is no danger that I\nwill refuse to answer them.”"))
    }

    @Test(
        "tables of contents are not counted",
        arguments: [
            ("pg22_like/pg64317.txt", "Table of Contents"), ("pg22_like/pg61262.txt", "CONTENTS"),
            ("pg22_like/pg69087.txt", "CONTENTS"), ("pg22_like/pg67098.txt", "CONTENTS"),
            ("pg22_like/pg67100.txt", "CONTENTS"),
        ])
    func tableOfContents(_ file: String, _ title: String) throws {
        let (_, book) = try Self.detect(file)
        let contents = try #require(book.lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == title })
        let first = try #require(book.chapters.first)
        // All chapters start after the list, and no heading is counted twice.
        #expect(first.headingLine > contents + 10, "\(file): first chapter at line \(first.headingLine + 1)")
        #expect(Set(book.chapters.map(\.heading)).count == book.chapters.count)
    }

    @Test("a table of contents made of real heading lines is dropped, its last line too")
    func syntheticContents() {
        let prose = Self.prose(600)
        var text = "MY BOOK\n\nCONTENTS\n\n"
        for number in ["I", "II", "III", "IV", "V", "VI"] { text += "Chapter \(number)\n\n" }
        text += "PREFACE\n\n" + Self.prose(150) + "\n\n"
        for number in ["I", "II", "III", "IV", "V", "VI"] { text += "Chapter \(number)\n\n" + prose + "\n\n" }
        let book = ChapterDetector().detect(in: text)
        #expect(book.chapters.count == 6)
        #expect(book.dropped.count == 6, "\(book.dropped)")
        #expect(book.dropped.last?.reason.contains("table of contents") == true)
        #expect(book.chapters.first?.headingLine ?? 0 > 20)
    }

    @Test("heading forms: Chapter the First, CHAPTER TWO, CHAP. III., numbered lines; PART ONE is not a chapter")
    func headingForms() {
        let prose = Self.prose(600)
        let keyword = [
            "Chapter the First", "CHAPTER TWO", "CHAP. III.", "Chapter 4", "CHAPTER V: THE END OF IT",
            "Chapter Twenty-one",
        ]
        let text =
            "PART ONE\n\n" + keyword.prefix(3).map { $0 + "\n\n" + prose }.joined(separator: "\n\n")
            + "\n\nPART TWO\n\n" + keyword.suffix(3).map { $0 + "\n\n" + prose }.joined(separator: "\n\n")
        let book = ChapterDetector().detect(in: text)
        #expect(book.style == .chapterKeyword)
        #expect(book.chapters.map(\.heading) == keyword)
        #expect(book.parts == ["PART ONE", "PART TWO"])
        let numbered = ChapterDetector().detect(in: (1...6).map { "\($0).\n\n" + prose }.joined(separator: "\n\n"))
        #expect(numbered.style == .arabicNumeral && numbered.chapters.count == 6)
        let roman = ChapterDetector().detect(
            in: ["IV.", "V.", "VI."].map { $0 + "\n\n" + prose }.joined(separator: "\n\n"))
        #expect(roman.style == .romanNumeral && roman.chapters.map(\.heading) == ["IV.", "V.", "VI."])
    }

    @Test("capitals inside prose, shouted lines and signatures are not headings")
    func capitalsInProse() {
        let prose = Self.prose(600)
        // Numbered chapters win over capitals: "HELP!" and the sign are not chapters.
        let text = (1...6).map {
            "CHAPTER \($0)\n\n" + prose + "\n\nHELP!\n\n" + prose + "\n\nNORTH POLE DISCOVERED BY POOH\n\n" + prose
        }
        .joined(separator: "\n\n")
        let book = ChapterDetector().detect(in: text)
        #expect(book.chapters.count == 6 && book.style == .chapterKeyword)
        // With capitals titles, lines of capitals inside a paragraph, initials and far-right signatures are not.
        let titled = (1...6).map {
            "THE TITLE NUMBER \($0)\n\n" + prose + "\nTHIS LINE SHOUTS IN A PARAGRAPH\n" + prose
                + "\n\n\"H. J.\n\n" + prose
                + "\n\n                                                            GLADSTONE.\n\n" + prose
        }
        .joined(separator: "\n\n")
        let titledBook = ChapterDetector().detect(in: titled)
        #expect(titledBook.style == .capitalTitle)
        #expect(titledBook.chapters.map(\.heading) == (1...6).map { "THE TITLE NUMBER \($0)" })
    }

    @Test("sections of a few hundred words are not chapters")
    func shortSections() {
        let text = (1...12).map { "SECTION TITLE \($0)\n\n" + Self.prose(300) }.joined(separator: "\n\n")
        let book = ChapterDetector().detect(in: text)
        #expect(book.chapters.isEmpty)
        #expect(book.notes.first?.contains("median of 3") == true, "\(book.notes)")
    }

    /// `count` words of prose in 12-word lines, paragraphs of 60 words.
    static func prose(_ count: Int) -> String {
        var lines: [String] = []
        var line: [String] = []
        for index in 0..<count {
            line.append(index % 12 == 0 ? "Then" : "word\(index % 7)")
            if line.count == 12 {
                lines.append(line.joined(separator: " ") + ((index + 1) % 60 == 0 ? ".\n" : ""))
                line = []
            }
        }
        if !line.isEmpty { lines.append(line.joined(separator: " ") + ".") }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
