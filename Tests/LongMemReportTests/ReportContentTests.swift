import Foundation
import LongMemHarness
import LongMemReport
import Testing

/// What the tables say, checked on the document model rather than on rendered text.
@Suite("Report tables")
struct ReportContentTests {
    func tables(_ document: ReportDocument) -> [ReportTable] {
        document.sections.flatMap { section in
            section.blocks.compactMap { block -> ReportTable? in
                if case .table(let table) = block { return table }
                return nil
            }
        }
    }

    func table(_ id: String) throws -> ReportTable {
        try #require(tables(ReportFixtures.document()).first { $0.id == id }, "no table \(id)")
    }

    @Test("a rebuilt ChapterBreak set gets tables of its own, titled as rebuilt, without the paper's rows")
    func rebuiltChapterBreak() throws {
        let folder = ReportFixtures.scratch()
        let path = try ReportFixtures.editedResults("chapterbreak-longmem", in: folder) { object in
            var options = object["options"] as! [String: Any]
            options["set"] = "rebuilt"
            object["options"] = options
        }
        let runs =
            try ReportFixtures.loadRuns(["chapterbreak-local"])
            + [try ResultsLoader.load(path: path, name: "chapterbreak-longmem (rebuilt)")]
        let document = try ReportBuilder.build(
            runs: runs, reference: ReportFixtures.loadReference(), referenceSource: "Reports/reference/paper.json")
        let rebuilt = try #require(tables(document).first { $0.id == "chapterbreak-rebuilt-ao3-sum" })
        #expect(rebuilt.title.hasPrefix("ChapterBreak-PG (rebuilt) AO3"), "\(rebuilt.title)")
        #expect(rebuilt.rows.map(\.label) == ["LongMem"])
        let official = try #require(tables(document).first { $0.id == "chapterbreak-ao3-sum" })
        #expect(official.rows.map(\.label).first == "Local window")
    }

    @Test("ChapterBreak AO3 has a column per prefix length, measured rows first, the paper's rows labelled")
    func chapterBreak() throws {
        let table = try table("chapterbreak-ao3-sum")
        #expect(table.columns == ["4k", "6k", "8k", "best"])
        #expect(
            table.rows.map(\.label) == [
                "Local window", "MemTRM-style", "LongMem", "GPT-2* (paper)", "MemTRM (paper)", "LongMem (paper)",
                "GPT-3 (paper)",
            ])
        let longmem = table.rows[2]
        #expect(longmem.model == "longmem-558m")
        #expect(longmem.cells[2] == ReportCell(value: "38.4", detail: "[35.4, 41.5]", delta: "+18.8"))
        #expect(longmem.notes.contains("official LongMem-558M checkpoint, converted to safetensors"))
        // The local row is the baseline: no delta of its own.
        #expect(table.rows[0].cells.allSatisfy { $0.delta == nil })
    }

    @Test("recalled figures are marked, and every table that shows one carries the legend")
    func recalled() throws {
        let document = try ReportFixtures.document()
        let chapterBreak = try #require(tables(document).first { $0.id == "chapterbreak-ao3-sum" })
        let paperLongMem = try #require(chapterBreak.rows.first { $0.label == "LongMem (paper)" })
        #expect(paperLongMem.cells[0].recalled)  // 37.7 at 4k is recalled
        #expect(!paperLongMem.cells[3].recalled)  // 40.5 best is the paper's
        for table in tables(document) where table.hasRecalledFigures {
            #expect(table.footnotes.contains(where: { $0.hasPrefix("† recalled figure") }), "\(table.id)")
        }
        let markdown = MarkdownRenderer.render(document)
        #expect(markdown.contains("37.7†"))
        let html = HTMLRenderer.render(document)
        #expect(
            html.contains(
                "<td class=\"num recalled\" title=\"recalled: not confirmed against the paper\"><span class=\"value\">37.7</span><span class=\"mark\">†</span>"
            ))
    }

    @Test("perplexity deltas are against the local row (the paper's: its GPT-2*); the paper's figures in their columns")
    func perplexity() throws {
        let table = try table("perplexity-buckets")
        #expect(table.columns == ["PG-22 5K-10K", "PG-22 10K-100K", "PG-22 100K-500K", "PG-22 all", "ArXiv"])
        // Per-document metrics and ArXiv's single bucket stay out; ArXiv shows as a whole.
        let memtrm = try #require(table.rows.first { $0.label == "MemTRM-style" })
        #expect(memtrm.cells[4] == ReportCell(value: "11.61", delta: "-0.31"))
        let paper = try #require(table.rows.first { $0.label == "LongMem (paper)" })
        #expect(paper.cells.map(\.value) == ["21.29", "23.01", nil, nil, "10.05"])
        // The paper's rows are compared with the paper's GPT-2* (11.05 on ArXiv), never with a measured model.
        #expect(paper.cells[4].delta == "-1.00")
        #expect(paper.cells[0].delta == nil)
        let paperBackbone = try #require(table.rows.first { $0.label == "GPT-2* (paper)" })
        #expect(paperBackbone.cells[4] == ReportCell(value: "11.05"))
        #expect(table.footnotes.contains { $0.contains("1.38 to 1.62 lower") })
        // A model without a local run of its own is compared with the only local run, and says which model it is.
        let untrained = try #require(table.rows.first { $0.label == "LongMem" })
        #expect(untrained.model == "gpt2-star-407m+sidenet-init")
        #expect(
            untrained.notes.contains(
                "untrained SideNet (random initialisation): checks the plumbing, not the paper's model"))
        // A sweep run shows its 65,536-token figures here; every run states its first-token rule.
        #expect(untrained.notes.contains("figures at memory_size=65536 (all sizes in the sweep table)"))
        #expect(
            table.rows.filter { !$0.isReference }.allSatisfy {
                $0.notes.contains("first token of each segment not scored")
            })
        #expect(table.footnotes.contains { $0.contains("score_first_token=false") })
    }

    @Test("the memory-size sweep is tabulated against the local perplexity without memory")
    func memorySweep() throws {
        let table = try table("perplexity-memory-pg22")
        #expect(table.columns == ["4k", "8k", "16k", "32k", "64k"])
        #expect(table.rows.map(\.label) == ["MemTRM-style", "LongMem"])
        #expect(table.rows[0].cells[4] == ReportCell(value: "24.12", delta: "-0.44"))
        #expect(table.rows[1].cells[0] == ReportCell(value: "26.61", delta: "+2.05"))
    }

    @Test("ICL cells are mean ± std over seeds, the average says how many tasks it covers")
    func icl() throws {
        let table = try table("icl-greedy-prefix-20-shot")
        #expect(table.columns == ["SST-2", "MR", "Avg"])
        let longmem = try #require(table.rows.first { $0.label == "LongMem" })
        #expect(longmem.cells[0].value == "84.8")
        #expect(longmem.cells[0].detail == "± 1.4")
        #expect(longmem.cells[2].detail == "on 2 of 5 tasks")
        let paper = try #require(table.rows.first { $0.label == "GPT-2* (paper)" })
        #expect(paper.cells.map(\.value) == [nil, nil, "58.7"])
        // The paper's ICL numbers are 20-shot only.
        let fourShot = try self.table("icl-greedy-prefix-4-shot")
        #expect(!fourShot.rows.contains { $0.isReference })
    }

    @Test("every run gets a provenance entry with model hash, protocol, data hashes and timings")
    func provenance() throws {
        let document = try ReportFixtures.document()
        #expect(document.provenance.map(\.anchor) == (1...9).map { "run-\($0)" })
        let fields = Dictionary(document.provenance[2].fields.map { ($0.name, $0.value) }) { first, _ in first }
        #expect(fields["Weights SHA-256"] == "c41e8b2f7a3d9e0c5b6a1f8d2e7c4b9a0d3f6e1c8b5a2d7f4e9c0b3a6d1f8e2c")
        #expect(fields["Protocol"] == "chapterbreak_suffix_id v1")
        #expect(fields["Git revision"] == "8c943d0f3b2a1e9d7c5b4a3f2e1d0c9b8a7f6e5d")
        #expect(fields["Threads"] == "2")
        #expect(fields["Wall time"] == "1h 13m 08s (4388.0 s)")
        #expect(fields["Started"] == "2026-11-20T19:00:00Z")
        #expect(document.provenance[2].fields.filter { $0.name == "Data file" }.count == 3)
    }

    @Test("without the paper's reference the report says so and shows measured rows only")
    func withoutReference() throws {
        let document = try ReportBuilder.build(runs: ReportFixtures.loadRuns(), reference: nil)
        #expect(!tables(document).flatMap(\.rows).contains { $0.isReference })
        #expect(document.overview.contains { $0.contains("No paper reference was loaded") })
    }

    @Test("a run whose metrics fit no table is named in the notes, not dropped silently")
    func unknownTask() throws {
        var runs = try ReportFixtures.loadRuns(["icl-local"])
        var odd = runs[0]
        odd.results.task = "needle"
        odd.results.method = "longmem"
        odd.results.metrics = [Metric(name: "found", value: 0.5, higherIsBetter: true, count: 10)]
        odd.source = "needle/results.json"
        runs.append(odd)
        let document = try ReportBuilder.build(runs: runs, reference: nil)
        #expect(
            document.notes.contains {
                $0.contains("none of its 1 metrics fit a table") && $0.contains("needle/results.json")
            })
    }
}
