/// Escapes text for GitHub-flavoured Markdown, inside and outside table cells.
///
/// A results file can carry any string, so a model named `a|b` must not add a column, `<script>` must not
/// become HTML, `*x*` must not turn italic, `[x](y)` must not become a link or image and a newline must not end the
/// table row. Characters that cannot start markup where they stand (an underscore inside a word, a lone
/// bracket) are left alone so the raw file stays readable.
public enum MarkdownText {
    static let alwaysEscaped: Set<Character> = ["\\", "`", "*", "|", "~", "$"]

    public static func escape(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n", "\t": out += " "
            case "_":
                // Intraword underscores never emphasise in GFM (snake_case stays as it is).
                let intraword =
                    (previous?.isLetter == true || previous?.isNumber == true)
                    && (next?.isLetter == true || next?.isNumber == true)
                out += intraword ? "_" : "\\_"
            case "(":
                // "[text](url)" is the only link form that needs no definition (and definitions can only
                // start a line, which text here never does): breaking "](" rules out links and images.
                out += previous == "]" ? "\\(" : "("
            default:
                if alwaysEscaped.contains(character) { out += "\\" }
                if let ascii = character.asciiValue, ascii < 0x20 || ascii == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.append(character)
                }
            }
        }
        return out
    }
}
