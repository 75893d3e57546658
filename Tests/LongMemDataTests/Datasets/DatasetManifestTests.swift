import Foundation
import LongMemData
import LongMemHarness
import Testing

@Suite("Dataset manifest and verification")
struct DatasetManifestTests {
    @Test("the embedded manifest equals Datasets/manifest.json byte for byte")
    func embeddedEqualsFile() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: DatasetTestPaths.manifestFile))
        #expect(
            Data(DatasetManifest.embeddedJSON.utf8) == file,
            "regenerate with python3 Scripts/make_dataset_manifest.py")
        #expect(try DatasetManifest(contentsOfFile: DatasetTestPaths.manifestFile) == DatasetManifest.embedded)
    }

    @Test("every file of the shared data directory is listed and verifies")
    func sharedDirectoryVerifies() throws {
        let root = try DatasetTestPaths.require("README.md")
        let directory = DataDirectory(path: (root as NSString).deletingLastPathComponent, rule: .environment)
        let manifest = DatasetManifest.embedded
        let listed = Set(manifest.files.map(\.path))
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
        var onDisk: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.path(of: relative), isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                onDisk.append(relative)
            }
        }
        #expect(onDisk.count >= 57)
        for relative in onDisk { #expect(listed.contains(relative), "\(relative) is not in the manifest") }
        let results = try DatasetVerifier(manifest: manifest, directory: directory).verify()
        for result in results where result.file.dataset != "chapterbreak" {
            #expect(result.status == .verified, "\(result.message)")
        }
        let chapterBreak = results.filter { $0.file.dataset == "chapterbreak" }
        #expect(chapterBreak.count == 7)
        #expect(chapterBreak.allSatisfy { $0.status == .missing })
    }

    @Test("URLs: LongMem's commit, the repositories of the provenance, ChapterBreak's Hugging Face files")
    func canonicalURLs() throws {
        let manifest = DatasetManifest.embedded
        let longMem = "https://raw.githubusercontent.com/Victorwz/LongMem/b7f3c6b8db7471eb507971451f63f67e21c49ebf/"
        let sst2 = try #require(manifest.files.first { $0.path == "icl/SST-2/dev.tsv" })
        #expect(sst2.url == longMem + "data/icl/original/SST-2/dev.tsv")
        #expect(sst2.dataset == "icl/sst2")
        let encoder = try #require(manifest.files.first { $0.path == "gpt2_bpe/encoder.json" })
        #expect(encoder.url == longMem + "gpt2_bpe/encoder.json")
        #expect(encoder.sha256 == "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783")
        let gatsby = try #require(manifest.files.first { $0.path == "longtext/pg22_like/pg64317.txt" })
        #expect(
            gatsby.url
                == "https://raw.githubusercontent.com/gutenbergbooks/64317/653801a8485640c1c44ae5cc55ebf4f198766419/64317-0.txt"
        )
        #expect(gatsby.dataset == "longtext/pg22")
        let chapterBreak = manifest.files.filter { $0.dataset == "chapterbreak" }
        #expect(
            chapterBreak.compactMap(\.url)
                == [256, 512, 1024, 2048, 4096, 6144, 8192].map {
                    "https://huggingface.co/datasets/simsun131/chapterbreak/resolve/main/chapterbreak_ctx_\($0).json"
                })
        #expect(chapterBreak.allSatisfy { $0.sha256 == nil && $0.bytes == nil && !$0.isVerifiable })
        // Only the collector's own notes have no public URL.
        for file in manifest.files where file.url == nil {
            #expect(
                file.path.hasSuffix("PROVENANCE.md") || file.path.hasSuffix("README.md") || file.path.hasSuffix(".tsv"))
        }
    }

    @Test("dataset names select their sub-datasets; an unknown name is a typed error")
    func selection() throws {
        let manifest = DatasetManifest.embedded
        let icl = try manifest.files(in: ["icl"])
        #expect(Set(icl.map(\.dataset)) == ["icl", "icl/mpqa", "icl/mr", "icl/sst2", "icl/sst5", "icl/subj"])
        #expect(
            try manifest.files(in: ["icl/sst2"]).map(\.path) == [
                "icl/SST-2/dev.tsv", "icl/SST-2/test.tsv", "icl/SST-2/train.tsv",
            ])
        #expect(throws: DataError.self) { try manifest.files(in: ["icl/sst3"]) }
        do {
            _ = try DatasetVerifier(directory: DataDirectory(path: "/nonexistent", rule: .explicit)).verify(["nope"])
            Issue.record("an unknown dataset name was accepted")
        } catch {
            #expect("\(error)".hasPrefix("nope: unknown dataset (known: chapterbreak, docs, gpt2_bpe"))
        }
    }

    @Test("the verifier reports missing, size-mismatched, corrupted and unverifiable files")
    func verifierStatuses() throws {
        let folder = try DatasetTestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let good = Data("good bytes\n".utf8)
        let files = [
            DatasetFile(
                path: "a/good.txt", dataset: "t", bytes: good.count, sha256: FileHash.sha256(data: good), url: nil),
            DatasetFile(
                path: "a/short.txt", dataset: "t", bytes: good.count, sha256: FileHash.sha256(data: good), url: nil),
            DatasetFile(
                path: "a/flipped.txt", dataset: "t", bytes: good.count, sha256: FileHash.sha256(data: good), url: nil),
            DatasetFile(
                path: "a/missing.txt", dataset: "t", bytes: 1, sha256: String(repeating: "0", count: 64), url: nil),
            DatasetFile(path: "b/unpinned.json", dataset: "u", bytes: nil, sha256: nil, url: nil),
        ]
        try FileManager.default.createDirectory(atPath: folder + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/b", withIntermediateDirectories: true)
        try good.write(to: URL(fileURLWithPath: folder + "/a/good.txt"))
        try good.prefix(4).write(to: URL(fileURLWithPath: folder + "/a/short.txt"))
        try Data("GOOD bytes\n".utf8).write(to: URL(fileURLWithPath: folder + "/a/flipped.txt"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/b/unpinned.json"))
        let verifier = DatasetVerifier(
            manifest: DatasetManifest(files: files), directory: DataDirectory(path: folder, rule: .explicit))
        let statuses = try verifier.verify().map(\.status)
        #expect(statuses[0] == .verified)
        #expect(statuses[1] == .sizeMismatch(expected: 11, actual: 4))
        #expect(
            statuses[2]
                == .checksumMismatch(
                    expected: FileHash.sha256(data: good), actual: FileHash.sha256(data: Data("GOOD bytes\n".utf8))))
        #expect(statuses[3] == .missing)
        #expect(statuses[4] == .unverified(bytes: 2))
        #expect(statuses.map(\.isProblem) == [false, true, true, true, false])
        #expect(try verifier.verify(["u"]).count == 1)
    }

    @Test("FileHash streams large files to the same SHA-256 as hashing them whole")
    func fileHash() throws {
        #expect(
            FileHash.sha256(data: Data("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let folder = try DatasetTestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var bytes = [UInt8](repeating: 0, count: 3 * Digest.blockSize + 12_345)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
        let path = folder + "/blob.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try FileHash.sha256(path: path) == FileHash.sha256(data: Data(bytes)))
        #expect(throws: DataError.fileNotFound(path: folder + "/absent")) {
            try FileHash.sha256(path: folder + "/absent")
        }
    }
}
