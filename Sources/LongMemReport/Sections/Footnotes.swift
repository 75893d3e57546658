/// The lines printed under a table. The recalled legend is added whenever a recalled figure is shown, so
/// no report can show one unmarked.
enum Footnotes {
    static let recalledLegend =
        "† recalled figure: remembered from the paper but not confirmed against its text (LONGMEM.md section 8); do not cite it."

    static func make(
        for table: ReportTable, context: ReportContext, topic: String?, runs: [ReportRun], extra: [String] = []
    ) -> [String] {
        var lines = extra
        if let topic, let reference = context.reference, table.rows.contains(where: \.isReference) {
            for statement in reference.statements(topic: topic) {
                lines.append("Paper: " + statement.text + (statement.status == .recalled ? " †" : ""))
            }
        }
        if let shared = context.sharedSettingsFootnote(among: runs) { lines.append(shared) }
        if table.hasRecalledFigures || lines.contains(where: { $0.hasSuffix("†") }) { lines.append(recalledLegend) }
        return lines
    }
}
