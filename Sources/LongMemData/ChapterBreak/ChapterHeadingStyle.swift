/// How a book marks its chapters. A book uses one style; the detector picks it (see `ChapterDetector`).
public enum ChapterHeadingStyle: String, Codable, CaseIterable, Sendable {
    /// `CHAPTER I`, `Chapter 1`, `CHAPTER XII.`, `Chapter the First`, `CHAPTER I. MR. SHERLOCK HOLMES.`
    case chapterKeyword = "chapter-keyword"
    /// A roman numeral alone on its line: `IV.` or `IV`.
    case romanNumeral = "roman-numeral"
    /// A number alone on its line: `4.` or `4`.
    case arabicNumeral = "arabic-numeral"
    /// A title in capitals alone between blank lines, followed by prose: `STORY OF THE DOOR`.
    case capitalTitle = "all-caps-title"
}
