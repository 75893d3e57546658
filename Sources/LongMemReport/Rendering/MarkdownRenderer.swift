/// Renders a report as GitHub-flavoured Markdown: the same tables as the HTML, with charts summarised in
/// a sentence (GitHub does not display inline SVG; `report.html` has them).
public enum MarkdownRenderer {
    public static func render(_ document: ReportDocument) -> String {
        var lines: [String] = ["# " + MarkdownText.escape(document.title), ""]
        for line in document.overview { lines += [MarkdownText.escape(line), ""] }
        for section in document.sections {
            lines += ["## " + MarkdownText.escape(section.title), "", MarkdownText.escape(section.introduction), ""]
            for block in section.blocks {
                switch block {
                case .table(let table): lines += render(table)
                case .chart(let chart):
                    lines += [
                        "*Chart (in report.html): " + MarkdownText.escape(chart.title) + ". "
                            + MarkdownText.escape(chart.summary) + "*", "",
                    ]
                }
            }
        }
        lines += ["## Provenance", ""]
        for entry in document.provenance {
            lines += ["<a id=\"\(entry.anchor)\"></a>", "", "### " + MarkdownText.escape(entry.title), ""]
            lines += ["| Field | Value |", "|---|---|"]
            for field in entry.fields {
                lines.append("| " + MarkdownText.escape(field.name) + " | " + value(field) + " |")
            }
            lines.append("")
        }
        if !document.notes.isEmpty {
            lines += ["## Notes", ""]
            lines += document.notes.map { "- " + MarkdownText.escape($0) }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ table: ReportTable) -> [String] {
        var lines = ["### " + MarkdownText.escape(table.title), "", "*" + MarkdownText.escape(table.caption) + "*", ""]
        let header = ["Method", "Model"] + table.columns + ["Notes"]
        lines.append("| " + header.map(MarkdownText.escape).joined(separator: " | ") + " |")
        lines.append("|---|---|" + String(repeating: "---:|", count: table.columns.count) + "---|")
        for row in table.rows {
            var label = MarkdownText.escape(row.label)
            switch row.kind {
            case .measured(let run): label += " ([" + run.replacingOccurrences(of: "-", with: " ") + "](#\(run)))"
            case .reference: label = "*" + label + "*"
            }
            let cells = row.cells.map(cell)
            lines.append(
                "| "
                    + ([label, MarkdownText.escape(row.model)] + cells + [
                        MarkdownText.escape(row.notes.joined(separator: "; "))
                    ])
                    .joined(separator: " | ") + " |")
        }
        lines.append("")
        if !table.footnotes.isEmpty {
            lines += table.footnotes.map { "- " + MarkdownText.escape($0) }
            lines.append("")
        }
        return lines
    }

    static func cell(_ cell: ReportCell) -> String {
        guard let value = cell.value else { return "—" }
        var text = MarkdownText.escape(value) + (cell.recalled ? "†" : "")
        if let detail = cell.detail { text += " " + MarkdownText.escape(detail) }
        if let delta = cell.delta { text += " (" + MarkdownText.escape(delta) + ")" }
        return text
    }

    /// Hashes and paths in code spans when that is safe; text that could break a code span is escaped instead.
    static func value(_ field: ProvenanceEntry.Field) -> String {
        let unsafe = field.value.contains { "`|<>&\n\r".contains($0) }
        return field.isCode && !unsafe && !field.value.isEmpty
            ? "`" + field.value + "`" : MarkdownText.escape(field.value)
    }
}
