import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `datasets build-chapterbreak`: ChapterBreak-PG (rebuilt) from Project Gutenberg books.
struct DatasetsBuildChapterBreakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-chapterbreak",
        abstract: "Build ChapterBreak examples in the official format from Project Gutenberg books.",
        discussion: """
            NOT the official ChapterBreak (which cannot be downloaded here): a rebuilt set in the same layout, \
            {"pg19": {work_id: [{"ctx", "pos", "negs"}]}, "ao3": {}}. Each book's PG header and footer are \
            stripped and its chapters detected; every break between two chapters gives one example whose \
            prefix is all the text before the break, whose gold suffix is the next chapter's first words, and \
            whose five negatives are the beginnings of other chapters of the same book (later ones when \
            possible), drawn with --seed. Books with fewer than 6 chapters are skipped with a warning. Writes \
            F.json and a sidecar F.json.meta.json (books, detected chapters, seed, prefix lengths, tool \
            version), and prints what was found in each book.
            """
    )

    @OptionGroup var options: DatasetsOptions

    @Option(
        parsing: .upToNextOption,
        help:
            "Book files (paths, or relative to the data directory); default: the longtext/pg22 and longtext/pg19 books."
    )
    var books: [String] = []

    @Option(help: "Prefix lengths in tokens the set is meant for, comma-separated (recorded in the sidecar).")
    var prefixLengths: String = "4096,6144,8192"

    @Option(help: "Seed of the negative draws.")
    var seed: UInt64 = 1

    @Option(help: "Words in each suffix.")
    var suffixWords: Int = 150

    @Option(help: "Output file (the official layout); the sidecar is <out>.meta.json.")
    var out: String

    func validate() throws {
        _ = try parsedPrefixLengths()
        guard suffixWords > 0 else { throw ValidationError("--suffix-words must be positive, got \(suffixWords)") }
    }

    func parsedPrefixLengths() throws -> [Int] {
        let parts = prefixLengths.split(separator: ",", omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, values.count == parts.count, values.allSatisfy({ $0 > 0 }) else {
            throw ValidationError(
                "--prefix-lengths: expected positive integers separated by commas, got '\(prefixLengths)'")
        }
        return values
    }

    func run() throws {
        // Fail before the build, not after it, when the output cannot be written.
        let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError.unwritable(path: out, reason: "no directory \(folder)")
        }
        let directory = options.directory
        let paths = try bookPaths(in: directory)
        let builder = ChapterBreakBuilder(
            seed: seed, prefixLengths: try parsedPrefixLengths(), suffixWords: suffixWords)
        let build = try builder.build(books: paths)
        for (line, book) in zip(build.report, build.metadata.books) {
            print(line)
            if book.skipped {
                FileHandle.standardError.write(Data("warning: \(book.path): skipped: \(book.skipReason ?? "")\n".utf8))
            }
        }
        try build.write(to: out)
        let metadata = build.metadata
        print(
            "wrote \(out) (\(metadata.exampleCount) examples from \(metadata.books.count - metadata.skippedBooks) "
                + "books; \(metadata.skippedBooks) skipped) and \(out).meta.json")
    }

    /// `--books` as given (or under the data directory when not found as given), else the manifest's books.
    func bookPaths(in directory: DataDirectory) throws -> [String] {
        if books.isEmpty {
            let files = try DatasetManifest.embedded.files(in: ["longtext/pg22", "longtext/pg19"])
            let texts = files.filter {
                $0.path.hasSuffix(".txt") && !($0.path as NSString).lastPathComponent.hasPrefix("LICENSE")
            }
            return texts.map { directory.path(of: $0.path) }
        }
        return books.map { path in
            if FileManager.default.fileExists(atPath: path) || path.hasPrefix("/") { return path }
            let candidate = directory.path(of: path)
            return FileManager.default.fileExists(atPath: candidate) ? candidate : path
        }
    }
}
