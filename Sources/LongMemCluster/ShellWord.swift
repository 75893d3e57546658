/// Words for a POSIX shell command line (the job scripts): every argument reaches the program exactly as
/// given, whatever spaces, quotes, `$` or newlines it holds.
public enum ShellWord {
    /// Characters a word may hold unquoted: none of them means anything to the shell.
    static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%")

    /// `word` as the shell must read it: bare when every character is plain, else in single quotes (which
    /// keep everything literal), each `'` written as `'\''` (end quote, escaped quote, quote again).
    public static func quoted(_ word: String) -> String {
        if !word.isEmpty && word.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// `words` quoted and joined by spaces.
    public static func line(_ words: [String]) -> String { words.map(quoted).joined(separator: " ") }
}
