import Foundation

/// The task families; their ids are what run and results files carry in `task`. Tasks and reports both
/// read the protocol facts here, so each is written once.
public enum TaskKind: String, CaseIterable, Sendable, Codable {
    case icl
    case chapterbreak
    case perplexity

    /// ChapterBreak: the gold next-chapter beginning among five negatives from the same work.
    public static let chapterBreakCandidates = 6

    /// The accuracy of a uniform guess, for tasks that pick one answer among a fixed number.
    public var chanceAccuracy: Double? {
        self == .chapterbreak ? 1 / Double(Self.chapterBreakCandidates) : nil
    }

    /// "chance accuracy 1/6 = 16.7%", the note every ChapterBreak result carries.
    public var chanceNote: String? {
        chanceAccuracy.map { "chance accuracy 1/\(Int((1 / $0).rounded())) = " + String(format: "%.1f%%", $0 * 100) }
    }
}
