import Foundation
import LongMemData
import Testing

@Suite("Project Gutenberg header and footer stripping")
struct GutenbergTextTests {
    func book(_ relative: String) throws -> GutenbergText {
        try GutenbergText(contentsOfFile: try DatasetTestPaths.require("longtext/" + relative))
    }

    /// What must never survive stripping, whatever the variant.
    func expectClean(_ text: GutenbergText, _ name: String) {
        #expect(!text.body.contains("\r"), "\(name): carriage return left")
        #expect(text.body.unicodeScalars.first != "\u{FEFF}", "\(name): byte-order mark left")
        #expect(!text.body.contains("*** START OF"), "\(name): START marker left")
        #expect(!text.body.contains("*** END OF"), "\(name): END marker left")
        #expect(!text.body.contains("Project Gutenberg-tm"), "\(name): license text left")
        #expect(!text.body.hasPrefix("\n") && !text.body.hasSuffix("\n"), "\(name): blank lines at an end")
    }

    @Test("LF file with START/END markers ('THE PROJECT'): The Great Gatsby")
    func markersTheProject() throws {
        let text = try book("pg22_like/pg64317.txt")
        #expect(text.startMarker == "*** START OF THE PROJECT GUTENBERG EBOOK 64317 ***")
        #expect(text.endMarker == "*** END OF THE PROJECT GUTENBERG EBOOK 64317 ***")
        #expect(text.body.hasPrefix("                           The Great Gatsby\n"))
        #expect(text.body.hasSuffix("borne back ceaselessly into\nthe past."))
        expectClean(text, "pg64317")
    }

    @Test("CRLF file with a BOM, 'THIS PROJECT' markers and the old trailer: Dr Jekyll and Mr Hyde")
    func crlfBOMThisProjectTrailer() throws {
        let path = try DatasetTestPaths.require("longtext/pg19_era/pg42.txt")
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(raw.starts(with: [0xEF, 0xBB, 0xBF]) && raw.contains(13))
        let text = try book("pg19_era/pg42.txt")
        #expect(text.startMarker == "*** START OF THIS PROJECT GUTENBERG EBOOK DR. JEKYLL AND MR. HYDE ***")
        #expect(text.trailer == "End of Project Gutenberg's Dr. Jekyll and Mr. Hyde, by Robert Louis Stevenson")
        #expect(text.body.hasPrefix("[Editor's Note:"))
        #expect(text.body.hasSuffix("that unhappy Henry Jekyll to an end."))
        expectClean(text, "pg42")
    }

    @Test("no markers, only the 'End of the Project Gutenberg EBook' trailer: Poirot Investigates")
    func trailerOnly() throws {
        let text = try book("pg22_like/pg61262.txt")
        #expect(text.startMarker == nil && text.endMarker == nil)
        #expect(text.trailer == "End of the Project Gutenberg EBook of Poirot Investigates, by Agatha Christie")
        #expect(text.body.hasPrefix("  POIROT INVESTIGATES\n"))
        #expect(text.body.hasSuffix("  THE END"))
    }

    @Test("no markers and no trailer: everything is kept (The Murder of Roger Ackroyd)")
    func noMarkers() throws {
        let path = try DatasetTestPaths.require("longtext/pg22_like/pg69087.txt")
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        let text = try book("pg22_like/pg69087.txt")
        #expect(text.startMarker == nil && text.endMarker == nil && text.trailer == nil)
        #expect(text.body == raw.trimmingCharacters(in: .newlines))
    }

    @Test("two START markers (an inner PG header kept by the repository): the book starts after the last")
    func innerHeader() throws {
        let text = try book("pg22_like/pg67098.txt")
        #expect(text.startMarker == "*** START OF THE PROJECT GUTENBERG EBOOK WINNIE-THE-POOH ***")
        #expect(text.body.hasPrefix("                            WINNIE-THE-POOH\n"))
        #expect(!text.body.contains("This eBook is for the use of anyone anywhere"))
        expectClean(text, "pg67098")
    }

    @Test("a START marker wrapped onto two lines, in a CRLF file with a full license")
    func wrappedMarker() throws {
        let text = try book("pg22_like/pg65248.txt")
        #expect(text.startMarker?.hasSuffix("TURKS\" ***") == true, "\(text.startMarker ?? "none")")
        #expect(text.body.hasPrefix("                             “THE MURDEROUS"))
        expectClean(text, "pg65248")
        for name in ["pg65240", "pg65241", "pg65242"] {
            let story = try book("pg22_like/\(name).txt")
            #expect(story.startMarker != nil && story.endMarker != nil, "\(name)")
            expectClean(story, name)
        }
        for name in ["pg2097", "244-0", "1424-0"] {
            let novel = try book("pg19_era/\(name).txt")
            #expect(novel.startMarker != nil && novel.endMarker != nil && novel.trailer != nil, "\(name)")
            expectClean(novel, name)
        }
    }

    @Test("CRLF, lone CR and a BOM become plain LF text; variants of the markers are recognised")
    func synthetic() {
        #expect(GutenbergText.normalizeLineEndings("\u{FEFF}a\r\nb\rc\n\r\nd") == "a\nb\nc\n\nd")
        let raw =
            "\u{FEFF}Header\r\n***START OF THE PROJECT GUTENBERG EBOOK X***\r\n\r\nBody line 1\rBody line 2\r\n"
            + "\r\nEnd of the Project Gutenberg EBook of X\r\n***END OF THE PROJECT GUTENBERG EBOOK X***\r\nlicense"
        let text = GutenbergText(raw)
        #expect(text.body == "Body line 1\nBody line 2")
        #expect(text.trailer == "End of the Project Gutenberg EBook of X")
        let old = GutenbergText(
            "The Project Gutenberg Etext\n*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\nText.\n")
        #expect(old.body == "Text.")
        let plain = GutenbergText("Just a text\nwith *** stars *** in it.\n")
        #expect(plain.body == "Just a text\nwith *** stars *** in it.")
        // A START line that is not about Project Gutenberg is text.
        #expect(GutenbergText("*** START OF PART TWO ***\nmore").body == "*** START OF PART TWO ***\nmore")
    }
}
