import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("AtomicFile writes a set of files all or nothing")
struct AtomicFileTests {
    func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("a failing second file leaves the first one as it was, and no staged file behind")
    func failureLeavesOldFiles() throws {
        let folder = FixturePaths.temporaryDirectory()
        try AtomicFile.write("old", to: folder + "/a.md")
        // The second target's folder is missing (and not created): its staging fails after the first's.
        let files = [(path: folder + "/a.md", data: Data("new".utf8)), (folder + "/missing/b.html", Data("new".utf8))]
        #expect(throws: TensorError.self) { try AtomicFile.write(files) }
        #expect(try text(folder + "/a.md") == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["a.md"])
    }

    @Test("a target that is a folder, or below a file, is refused before anything is written")
    func badTargets() throws {
        let folder = FixturePaths.temporaryDirectory()
        try AtomicFile.write("old", to: folder + "/a.md")
        try FileManager.default.createDirectory(atPath: folder + "/b.html", withIntermediateDirectories: false)
        let files = [(path: folder + "/a.md", data: Data("new".utf8)), (folder + "/b.html", Data("new".utf8))]
        #expect(throws: TensorError.unwritable(path: folder + "/b.html", reason: "it is a folder")) {
            try AtomicFile.write(files)
        }
        #expect(try text(folder + "/a.md") == "old")
        let below = folder + "/a.md/sub/report.md"
        #expect(throws: TensorError.unwritable(path: below, reason: "\(folder)/a.md is a file, not a folder")) {
            try AtomicFile.write(Data(), to: below, createFolder: true)
        }
    }
}
