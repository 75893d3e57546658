import Foundation
import LongMemReport
import LongMemTestSupport
import Testing

/// `Reports/reference/paper.json`: the paper's numbers of LONGMEM.md section 8, with their status.
@Suite("Paper reference")
struct PaperReferenceTests {
    @Test("the reference file loads and marks exactly the per-length ChapterBreak figures as recalled")
    func statuses() throws {
        let reference = try ReportFixtures.loadReference()
        #expect(Set(reference.figures.map(\.id)).count == reference.figures.count)
        let recalled = reference.figures.filter { $0.status == .recalled }.map(\.id).sorted()
        #expect(
            recalled == [
                "chapterbreak-ao3-4k-longmem", "chapterbreak-ao3-4k-memtrm", "chapterbreak-ao3-6k-longmem",
                "chapterbreak-ao3-6k-memtrm", "chapterbreak-ao3-8k-longmem", "chapterbreak-ao3-8k-memtrm",
            ])
        let printed = Dictionary(uniqueKeysWithValues: reference.figures.map { ($0.id, $0.asPrinted) })
        #expect(printed["chapterbreak-ao3-best-longmem"] == "40.5")
        #expect(printed["arxiv-ppl-gpt2star"] == "11.05")
        #expect(printed["icl-20shot-average-longmem"] == "66.7")
        // Accuracies are fractions, like measured metrics.
        for figure in reference.figures where figure.metric != "token_perplexity" {
            #expect((0...1).contains(figure.value), "\(figure.id)")
        }
    }

    @Test("without --reference the file is found above the current folder, and its absence is one clear error")
    func locate() throws {
        let nested = FixturePaths.root + "/Tests/Fixtures/report/runs"
        #expect(try ReferenceLocator.locate(from: [nested]) == FixturePaths.root + "/" + ReferenceLocator.relativePath)
        let elsewhere = ReportFixtures.scratch()
        #expect(throws: ReportError.referenceNotFound(searched: [elsewhere])) {
            try ReferenceLocator.locate(from: [elsewhere])
        }
        #expect(
            ReportError.referenceNotFound(searched: ["/a"]).description
                == "Reports/reference/paper.json not found (looked in /a): pass --reference FILE or --no-reference")
    }
}
