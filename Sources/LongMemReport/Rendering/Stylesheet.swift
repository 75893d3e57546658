/// The report's CSS, inlined so the HTML is one self-contained file.
///
/// Written without `<` or `&` so it is valid XML text as it stands. The print rules drop the navigation
/// and backgrounds, keep tables and charts from splitting across pages and rely on markers and dash
/// patterns (not colour) to tell series apart, so a grayscale printout stays readable.
enum Stylesheet {
    static let css = """
        :root { color-scheme: light; }
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; background: #fff;
          margin: 2rem auto; max-width: 80rem; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
        h1 { font-size: 1.7rem; margin-bottom: 0.3rem; }
        h2 { font-size: 1.35rem; border-bottom: 1px solid #999; padding-bottom: 0.2rem; margin-top: 2.2rem; }
        h3 { font-size: 1.1rem; margin-top: 1.6rem; }
        nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; }
        table { border-collapse: collapse; margin: 0.6rem 0 0.4rem; font-size: 0.9rem; }
        caption { caption-side: top; text-align: left; padding-bottom: 0.35rem; }
        caption .title { display: block; font-weight: bold; font-size: 1rem; }
        caption .how { display: block; color: #333; font-size: 0.85rem; }
        th, td { border: 1px solid #aaa; padding: 0.25rem 0.5rem; vertical-align: top; }
        thead th { background: #eee; }
        td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        th.row { text-align: left; font-weight: normal; }
        td.notes { font-size: 0.82rem; color: #333; max-width: 24rem; }
        .detail, .delta { color: #444; font-size: 0.8rem; }
        tr.reference { background: #f3f3f3; font-style: italic; }
        tr.reference th.row::before { content: "\\25B8  "; font-style: normal; }
        .recalled { text-decoration: underline dotted; }
        .mark { font-style: normal; font-weight: bold; }
        ul.footnotes { font-size: 0.82rem; color: #333; margin-top: 0.2rem; padding-left: 1.2rem; }
        figure { margin: 1rem 0 1.6rem; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #ddd; background: #fff; }
        figcaption { font-size: 0.85rem; color: #333; max-width: 52rem; }
        table.provenance td { font-size: 0.85rem; }
        table.provenance th { text-align: left; font-weight: normal; background: #f6f6f6; white-space: nowrap; }
        code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.82rem; word-break: break-all; }
        section.run { break-inside: avoid; }
        @media print {
          @page { margin: 14mm; }
          body { margin: 0; max-width: none; padding: 0; font-size: 9.5pt; }
          nav { display: none; }
          h2 { break-after: avoid; margin-top: 1.2rem; }
          h3 { break-after: avoid; }
          table, figure, ul.footnotes { break-inside: avoid; }
          thead th, tr.reference, table.provenance th { background: none; }
          a { color: inherit; text-decoration: none; }
          figure svg { border: none; }
          .detail, .delta, td.notes, figcaption, ul.footnotes { color: #000; }
        }
        """
}
