/// JUnit XML for the regression gate: one `<testcase>` per metric, so CI systems show each moved metric
/// as a failed test with its expected value, actual value and tolerance.
public enum JUnitReport {
    public static func render(
        _ comparisons: [MetricComparison], suite: String, properties: [(String, String)] = []
    ) -> String {
        let failures = comparisons.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"longmem-eval regress\" tests=\"\(comparisons.count)\" failures=\"\(failures)\" errors=\"0\">\n"
        out += "  <testsuite name=\"\(XMLText.escape(suite))\" tests=\"\(comparisons.count)\" failures=\"\(failures)\" "
        out += "errors=\"0\" skipped=\"0\" time=\"0\">\n"
        if !properties.isEmpty {
            out += "    <properties>\n"
            for (name, value) in properties {
                out += "      <property name=\"\(XMLText.escape(name))\" value=\"\(XMLText.escape(value))\"/>\n"
            }
            out += "    </properties>\n"
        }
        for comparison in comparisons {
            out +=
                "    <testcase classname=\"longmem-eval.regress\" name=\"\(XMLText.escape(comparison.key))\" time=\"0\""
            if comparison.passed {
                out += "/>\n"
            } else {
                let message = XMLText.escape(comparison.message)
                out +=
                    ">\n      <failure type=\"\(XMLText.escape(comparison.status.rawValue))\" message=\"\(message)\">"
                out += message + "</failure>\n    </testcase>\n"
            }
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }
}
