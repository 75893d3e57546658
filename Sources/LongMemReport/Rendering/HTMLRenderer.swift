/// Renders a report as one self-contained XHTML file: inline CSS and SVG charts, no JavaScript, no
/// external resources, so it can be archived, mailed or printed as it is.
///
/// The output is well-formed XML (it parses with FoundationXML's `XMLDocument`, which the tests check)
/// and is served as HTML too, so it only uses the five XML entities and writes non-ASCII as UTF-8.
public enum HTMLRenderer {
    public static func render(_ document: ReportDocument) -> String {
        var out = """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="generator" content="longmem-eval report"/>

            """
        out += "<title>" + XMLText.escape(document.title) + "</title>\n"
        out += "<style>\n" + Stylesheet.css + "\n</style>\n</head>\n<body>\n"
        out += "<header>\n<h1>" + XMLText.escape(document.title) + "</h1>\n"
        for line in document.overview { out += "<p>" + XMLText.escape(line) + "</p>\n" }
        out += "</header>\n<nav>\n<ul>\n"
        for section in document.sections {
            out += "<li><a href=\"#\(section.id)\">" + XMLText.escape(section.title) + "</a></li>\n"
        }
        out += "<li><a href=\"#provenance\">Provenance</a></li>\n"
        if !document.notes.isEmpty { out += "<li><a href=\"#notes\">Notes</a></li>\n" }
        out += "</ul>\n</nav>\n<main>\n"
        for section in document.sections { out += render(section) }
        out += "<section id=\"provenance\">\n<h2>Provenance</h2>\n"
        for entry in document.provenance { out += render(entry) }
        out += "</section>\n"
        if !document.notes.isEmpty {
            out += "<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n"
            for note in document.notes { out += "<li>" + XMLText.escape(note) + "</li>\n" }
            out += "</ul>\n</section>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    static func render(_ section: ReportSection) -> String {
        var out = "<section id=\"\(XMLText.escape(section.id))\">\n<h2>" + XMLText.escape(section.title) + "</h2>\n"
        out += "<p>" + XMLText.escape(section.introduction) + "</p>\n"
        for block in section.blocks {
            switch block {
            case .table(let table): out += render(table)
            case .chart(let chart):
                out += "<figure id=\"\(XMLText.escape(chart.id))\">\n" + SVGChartRenderer.render(chart)
                out += "<figcaption>" + XMLText.escape(chart.summary) + "</figcaption>\n</figure>\n"
            }
        }
        return out + "</section>\n"
    }

    static func render(_ table: ReportTable) -> String {
        var out = "<table id=\"\(XMLText.escape(table.id))\" class=\"results\">\n<caption>"
        out += "<span class=\"title\">" + XMLText.escape(table.title) + "</span>"
        out += "<span class=\"how\">" + XMLText.escape(table.caption) + "</span></caption>\n<thead>\n<tr>"
        for header in ["Method", "Model"] + table.columns + ["Notes"] {
            out += "<th scope=\"col\">" + XMLText.escape(header) + "</th>"
        }
        out += "</tr>\n</thead>\n<tbody>\n"
        for row in table.rows {
            switch row.kind {
            case .measured(let run):
                out +=
                    "<tr class=\"measured\"><th scope=\"row\" class=\"row\"><a href=\"#\(XMLText.escape(run))\">"
                    + XMLText.escape(row.label) + "</a></th>"
            case .reference:
                out += "<tr class=\"reference\"><th scope=\"row\" class=\"row\">" + XMLText.escape(row.label) + "</th>"
            }
            out += "<td class=\"model\">" + XMLText.escape(row.model) + "</td>"
            for cell in row.cells { out += render(cell) }
            out += "<td class=\"notes\">" + XMLText.escape(row.notes.joined(separator: "; ")) + "</td></tr>\n"
        }
        out += "</tbody>\n</table>\n"
        if !table.footnotes.isEmpty {
            out += "<ul class=\"footnotes\">\n"
            for line in table.footnotes { out += "<li>" + XMLText.escape(line) + "</li>\n" }
            out += "</ul>\n"
        }
        return out
    }

    static func render(_ cell: ReportCell) -> String {
        guard let value = cell.value else { return "<td class=\"num empty\">—</td>" }
        var out =
            cell.recalled
            ? "<td class=\"num recalled\" title=\"recalled: not confirmed against the paper\">"
            : "<td class=\"num\">"
        out += "<span class=\"value\">" + XMLText.escape(value) + "</span>"
        if cell.recalled { out += "<span class=\"mark\">†</span>" }
        if let detail = cell.detail { out += " <span class=\"detail\">" + XMLText.escape(detail) + "</span>" }
        if let delta = cell.delta { out += " <span class=\"delta\">(" + XMLText.escape(delta) + ")</span>" }
        return out + "</td>"
    }

    static func render(_ entry: ProvenanceEntry) -> String {
        var out = "<section class=\"run\" id=\"\(XMLText.escape(entry.anchor))\">\n<h3>" + XMLText.escape(entry.title)
        out += "</h3>\n<table class=\"provenance\">\n<tbody>\n"
        for field in entry.fields {
            let value = XMLText.escape(field.value)
            out +=
                "<tr><th scope=\"row\">" + XMLText.escape(field.name) + "</th><td>"
                + (field.isCode ? "<code>" + value + "</code>" : value) + "</td></tr>\n"
        }
        return out + "</tbody>\n</table>\n</section>\n"
    }
}
