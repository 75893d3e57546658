import Foundation
import LongMemData
import Testing

@Suite("ChapterBreak-PG builder and file reader")
struct ChapterBreakBuilderTests {
    static let bookFiles = [
        "pg22_like/pg64317.txt", "pg19_era/244-0.txt", "pg19_era/pg2097.txt", "pg19_era/pg42.txt",
        "pg22_like/pg61262.txt", "pg22_like/pg69087.txt", "pg22_like/pg61263.txt",
    ]

    static func paths() throws -> [String] { try bookFiles.map { try DatasetTestPaths.require("longtext/" + $0) } }

    @Test("the builder writes a valid official-format file: 5 distinct negatives, none equal to the gold")
    func validOutput() throws {
        let build = try ChapterBreakBuilder(seed: 7).build(books: try Self.paths())
        let reread = try ChapterBreakFile(data: build.file.encoded(), source: "built")
        #expect(reread == build.file)
        #expect(reread.works["ao3"]?.isEmpty == true)
        let pg19 = try #require(reread.works["pg19"])
        // One example per break: chapters - 1 for each book with at least six chapters.
        let expected = ["64317": 8, "244": 13, "2097": 11, "42": 9, "61262": 10, "69087": 26]
        #expect(pg19.mapValues(\.count) == expected)
        #expect(build.metadata.exampleCount == expected.values.reduce(0, +))
        for (workID, examples) in pg19 {
            for (index, example) in examples.enumerated() {
                #expect(example.negs.count == 5, "\(workID)[\(index)]")
                #expect(!example.negs.contains(example.pos), "\(workID)[\(index)]: gold among the negatives")
                #expect(Set(example.negs).count == 5, "\(workID)[\(index)]: repeated negative")
                #expect(example.pos.split(whereSeparator: \.isWhitespace).count == 150, "\(workID)[\(index)]")
                #expect(!example.ctx.isEmpty && !example.ctx.hasSuffix("\n"))
            }
        }
    }

    @Test("prefixes are the untruncated text before the break; the gold is what follows the next heading")
    func prefixesAndGold() throws {
        let path = try DatasetTestPaths.require("longtext/pg22_like/pg69087.txt")
        let build = try ChapterBreakBuilder(seed: 1).build(books: [path])
        let body = try GutenbergText(contentsOfFile: path).body
        let examples = try #require(build.file.works["pg19"]?["69087"])
        for (index, example) in examples.enumerated() {
            #expect(body.hasPrefix(example.ctx), "[\(index)]: the prefix is not the start of the book")
            let after = body.dropFirst(example.ctx.count)
            // Between the prefix and the gold there is only the heading block.
            let gold = try #require(after.range(of: example.pos), "[\(index)]: gold not found after the prefix")
            let between = after[after.startIndex..<gold.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(between.hasPrefix("CHAPTER "), "[\(index)]: \(between)")
            #expect(between.split(separator: "\n").count <= 3, "[\(index)]: \(between)")
        }
        // The first example's prefix holds chapter I whole and nothing of chapter II.
        #expect(
            examples[0].ctx.hasSuffix("I’ve got a pretty good idea what he meant.”") || examples[0].ctx.count > 5_000)
        #expect(!examples[0].ctx.contains("CHAPTER II\n"))
    }

    @Test("negatives come from later chapters while five remain, then from earlier ones")
    func negativesAfterTheBreak() throws {
        let build = try ChapterBreakBuilder(seed: 3).build(books: [
            try DatasetTestPaths.require("longtext/pg22_like/pg69087.txt")
        ])
        for record in build.metadata.examples {
            let later = record.negativeChapters.filter { $0 > record.goldChapter }
            #expect(
                later.count == min(5, 27 - record.goldChapter), "gold \(record.goldChapter): \(record.negativeChapters)"
            )
            #expect(!record.negativeChapters.contains(record.goldChapter))
        }
    }

    @Test("the same seed gives the same bytes; another seed other negatives")
    func deterministic() throws {
        let paths = try Self.paths()
        let first = try ChapterBreakBuilder(seed: 11).build(books: paths)
        let second = try ChapterBreakBuilder(seed: 11).build(books: paths)
        #expect(first.file.encoded() == second.file.encoded())
        #expect(first.metadata == second.metadata)
        let other = try ChapterBreakBuilder(seed: 12).build(books: paths)
        #expect(other.file.encoded() != first.file.encoded())
        #expect(other.metadata.examples.map(\.goldChapter) == first.metadata.examples.map(\.goldChapter))
    }

    @Test("a book with too few chapters is skipped, counted and explained")
    func tooFewChapters() throws {
        let build = try ChapterBreakBuilder(seed: 1).build(books: try Self.paths())
        #expect(build.metadata.skippedBooks == 1)
        let skipped = try #require(build.metadata.books.first { $0.workID == "61263" })
        #expect(skipped.skipped && skipped.examples == 0 && skipped.chapters.count == 5)
        #expect(skipped.skipReason == "5 chapters detected, fewer than 6")
        #expect(build.file.works["pg19"]?["61263"] == nil)
        #expect(
            build.report.contains { $0.hasPrefix("pg61263.txt (work 61263): 5 chapters") && $0.contains("skipped") })
        // Only books that are all skipped: an error, not an empty file.
        let onlyShort = try DatasetTestPaths.require("longtext/pg22_like/pg61263.txt")
        #expect(throws: DataError.noExamples(books: 1)) {
            try ChapterBreakBuilder(seed: 1).build(books: [onlyShort])
        }
    }

    @Test("the file and its sidecar are written atomically and read back")
    func writeAndRead() throws {
        let folder = try DatasetTestPaths.temporaryDirectory("longmem-chapterbreak-test")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let build = try ChapterBreakBuilder(seed: 5, prefixLengths: [4096, 6144, 8192]).build(
            books: [try DatasetTestPaths.require("longtext/pg19_era/pg42.txt")])
        let out = folder + "/chapterbreak_pg.json"
        try build.write(to: out)
        #expect(try ChapterBreakFile(contentsOfFile: out) == build.file)
        let sidecar = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".meta.json")))
                as? [String: Any])
        #expect(sidecar["name"] as? String == "ChapterBreak-PG (rebuilt)")
        #expect(sidecar["official"] as? Bool == false)
        #expect(sidecar["seed"] as? Int == 5)
        #expect(sidecar["prefix_lengths"] as? [Int] == [4096, 6144, 8192])
        #expect(sidecar["tool_version"] as? String == ChapterBreakBuilder.toolVersion)
        let books = try #require(sidecar["books"] as? [[String: Any]])
        #expect((books.first?["chapters"] as? [Any])?.count == 10)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == [
                "chapterbreak_pg.json", "chapterbreak_pg.json.meta.json",
            ])
    }

    // MARK: - Bad input

    func write(_ text: String) throws -> String {
        let folder = try DatasetTestPaths.temporaryDirectory("longmem-chapterbreak-test")
        let path = folder + "/bad.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let entry = #"{"ctx": "prefix", "pos": "gold", "negs": ["a", "b", "c", "d", "e"]}"#

    @Test("a malformed file is an error naming the file")
    func malformedFile() throws {
        let notJSON = try write("{\"pg19\": {")
        #expect(throws: DataError.self) { try ChapterBreakFile(contentsOfFile: notJSON) }
        do {
            _ = try ChapterBreakFile(contentsOfFile: notJSON)
        } catch {
            #expect(error.description.hasPrefix("\(notJSON): not a ChapterBreak file: invalid JSON"))
        }
        let list = try write("[1, 2]")
        #expect(throws: DataError.malformedChapterBreak(path: list, reason: "the top level is not an object")) {
            try ChapterBreakFile(contentsOfFile: list)
        }
        let noCtx = try write(#"{"pg19": {"42": [{"pos": "gold", "negs": ["a", "b", "c", "d", "e"]}]}}"#)
        #expect(
            throws: DataError.malformedEntry(
                path: noCtx, split: "pg19", workID: "42", index: 0, reason: "'ctx' is missing or not a string")
        ) { try ChapterBreakFile(contentsOfFile: noCtx) }
        #expect(throws: DataError.unreadable(path: "/nonexistent/cb.json", reason: "file not found")) {
            try ChapterBreakFile(contentsOfFile: "/nonexistent/cb.json")
        }
    }

    @Test("an entry with 4 negatives names the work id and the index")
    func fourNegatives() throws {
        let four = #"{"ctx": "p", "pos": "g", "negs": ["a", "b", "c", "d"]}"#
        let path = try write(#"{"pg19": {}, "ao3": {"9001": ["# + Self.entry + ", " + four + "]}}")
        let expected = DataError.wrongNegativeCount(
            path: path, split: "ao3", workID: "9001", index: 1, count: 4)
        #expect(throws: expected) { try ChapterBreakFile(contentsOfFile: path) }
        #expect(expected.description == "\(path): ao3 work 9001 entry 1: 4 negatives, expected exactly 5")
    }

    @Test("an unknown split is rejected")
    func unknownSplit() throws {
        let path = try write(#"{"pg19": {}, "books3": {"1": ["# + Self.entry + "]}}")
        #expect(throws: DataError.unknownSplit(path: path, split: "books3")) {
            try ChapterBreakFile(contentsOfFile: path)
        }
        let json = #"{"pg19": {"1": ["# + Self.entry + "]}}"
        let valid = try ChapterBreakFile(data: Data(json.utf8), source: "x")
        #expect(try valid.examples(in: "pg19").count == 1)
        #expect(throws: DataError.self) { try valid.examples(in: "books3") }
    }

    @Test("unwritable output, unreadable books and duplicate work ids are errors naming the path")
    func badBuilderInput() throws {
        let build = try ChapterBreakBuilder(seed: 1).build(books: [
            try DatasetTestPaths.require("longtext/pg19_era/pg42.txt")
        ])
        #expect(
            throws: DataError.unwritable(
                path: "/nonexistent-dir/out.json", reason: "No such file or directory")
        ) {
            try build.write(to: "/nonexistent-dir/out.json")
        }
        let folder = try DatasetTestPaths.temporaryDirectory("longmem-chapterbreak-test")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(
            atPath: folder + "/taken.json/inside", withIntermediateDirectories: true)
        #expect(throws: DataError.self) { try build.write(to: folder + "/taken.json") }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder) == ["taken.json"], "a temporary file was left")
        #expect(throws: DataError.unreadableBook(path: folder + "/pg1.txt", reason: "file not found")) {
            try ChapterBreakBuilder(seed: 1).build(books: [folder + "/pg1.txt"])
        }
        let pg42 = try DatasetTestPaths.require("longtext/pg19_era/pg42.txt")
        let copy = folder + "/42-0.txt"
        try FileManager.default.copyItem(atPath: pg42, toPath: copy)
        #expect(throws: DataError.duplicateWorkID(workID: "42", paths: [pg42, copy])) {
            try ChapterBreakBuilder(seed: 1).build(books: [pg42, copy])
        }
    }

    @Test("work ids come from the file name's number")
    func workIDs() {
        #expect(ChapterBreakBuilder.workID(forFile: "/x/pg64317.txt") == "64317")
        #expect(ChapterBreakBuilder.workID(forFile: "244-0.txt") == "244")
        #expect(ChapterBreakBuilder.workID(forFile: "/x/book.txt") == "book")
    }
}
