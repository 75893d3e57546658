import Foundation
import LongMemHarness
import LongMemReport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Results files are input anyone can write: every string they carry must come out as text.
@Suite("HTML validity and escaping")
struct EscapingTests {
    static let hostile =
        "<script>alert(\"x\")</script> & 'quoted' | piped *starred* _under_ [link](http://x) `tick` \u{07}"

    /// One run of each family whose model name, notes, options, labels and paths are hostile.
    func hostileRuns() throws -> [RunResults] {
        try ReportFixtures.loadRuns(["chapterbreak-local", "chapterbreak-longmem", "icl-local"]).map { run in
            var run = run
            run.results.model.name = Self.hostile + " " + run.results.method
            run.results.model.path = "models/<x>&\"y\""
            run.results.model.weightsSHA256 = "a&b<c>"
            run.results.notes = [Self.hostile, "line one\nline two | three"]
            run.results.options["evil \"key\""] = .string(Self.hostile)
            run.results.environment.host = "<host> & \"quotes\""
            run.results.dataFiles.append(DataFileInfo(path: "data/<a>&b.json", sha256: "'", bytes: 1))
            run.source = "runs/<" + run.results.method + ">&\"'.json"
            return run
        }
    }

    @Test("the fixture report is well-formed XHTML, with one table per block and inline SVG charts")
    func wellFormed() throws {
        let html = HTMLRenderer.render(try ReportFixtures.document())
        let document = try XMLCheck.parse(html)
        let root = try #require(document.rootElement())
        #expect(root.name == "html")
        #expect(root.uri == "http://www.w3.org/1999/xhtml")
        // 2 ChapterBreak (sum, mean), 4 perplexity (buckets, bits per byte, 2 sweeps), 4 ICL; 9 provenance tables.
        #expect(XMLCheck.elements("table", in: root).count == 10 + 9)
        let charts = XMLCheck.elements("svg", in: root)
        #expect(charts.count == 6)
        #expect(charts.allSatisfy { $0.uri == "http://www.w3.org/2000/svg" })
        #expect(html.contains("@media print"))
        #expect(!html.contains("<script"))
        // Ids must be unique for the row links to land.
        let ids = html.matches(of: /\sid="([^"]+)"/).map { String($0.1) }
        #expect(Set(ids).count == ids.count)
    }

    @Test("hostile model names, notes, options and paths are escaped in HTML and survive as text")
    func html() throws {
        let document = try ReportBuilder.build(runs: hostileRuns(), reference: ReportFixtures.loadReference())
        let html = HTMLRenderer.render(document)
        let parsed = try XMLCheck.parse(html)
        let root = try #require(parsed.rootElement())
        #expect(XMLCheck.elements("script", in: root).isEmpty)
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<x>"))
        #expect(!html.contains("\u{07}"))
        let text = root.stringValue ?? ""
        #expect(text.contains("<script>alert(\"x\")</script> & 'quoted' | piped"))
        #expect(text.contains("models/<x>&\"y\""))
        #expect(text.contains("<host> & \"quotes\""))
        // Attributes too: the chart legends and tooltips carry model names.
        for svg in XMLCheck.elements("svg", in: root) {
            #expect(svg.stringValue?.contains("<script>alert(\"x\")</script>") == true)
        }
    }

    @Test("hostile strings cannot add Markdown table columns, HTML, links or emphasis")
    func markdown() throws {
        let document = try ReportBuilder.build(runs: hostileRuns(), reference: ReportFixtures.loadReference())
        let markdown = MarkdownRenderer.render(document)
        #expect(!markdown.contains("<script>"))
        #expect(!markdown.contains("](http://x)"))
        #expect(!markdown.contains("\u{07}"))
        // Each table row has exactly as many unescaped pipes as its header.
        var expectedPipes: Int?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                expectedPipes = nil
                continue
            }
            let characters = Array(line)
            let pipes = characters.indices.filter { characters[$0] == "|" && ($0 == 0 || characters[$0 - 1] != "\\") }
                .count
            if let expectedPipes {
                #expect(pipes == expectedPipes, "\(line)")
            } else {
                expectedPipes = pipes
            }
        }
        #expect(MarkdownText.escape("a|b") == "a\\|b")
        #expect(MarkdownText.escape("*x* _y_ snake_case") == "\\*x\\* \\_y\\_ snake_case")
        #expect(MarkdownText.escape("[t](u)") == "[t]\\(u)")
        #expect(MarkdownText.escape("<b>&") == "&lt;b&gt;&amp;")
    }

    @Test("XML escaping covers the five specials and replaces characters XML cannot carry")
    func xmlText() {
        #expect(XMLText.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(XMLText.escape("bell\u{07}nul\u{00}") == "bell\u{FFFD}nul\u{FFFD}")
        #expect(XMLText.escape("tab\tnewline\nπ±†") == "tab\tnewline\nπ±†")
    }

    @Test("a standalone chart is a well-formed SVG document with title, axes and legend")
    func svg() throws {
        let document = try ReportFixtures.document()
        for section in document.sections {
            for case .chart(let chart) in section.blocks {
                let svg = SVGChartRenderer.render(chart, standalone: true)
                let parsed = try XMLCheck.parse(svg)
                let root = try #require(parsed.rootElement())
                #expect(root.name == "svg")
                let texts = XMLCheck.elements("text", in: root).compactMap(\.stringValue)
                #expect(texts.contains(chart.title))
                #expect(texts.count > 8, "axes, ticks and legend should be labelled in \(chart.id)")
            }
        }
    }
}
