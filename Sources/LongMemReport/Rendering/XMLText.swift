/// Escapes text for XML and XHTML content and attribute values.
///
/// Every string that reaches the HTML, SVG or JUnit output goes through here: model names, notes, option
/// values and file names come from results files, which anyone can write. Characters XML 1.0 forbids
/// (most C0 controls, U+FFFE, U+FFFF) cannot be escaped at all, so they become U+FFFD instead of making
/// the document unparsable.
public enum XMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
                    || (0x7F...0x9F).contains(scalar.value)
                {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
