/// How a reference figure is known. Reports mark every `recalled` figure where it appears, because a
/// recalled number was not confirmed against the paper's text and must not be read as a published one.
public enum ReferenceStatus: String, Codable, Sendable, Equatable {
    /// Stated by the paper.
    case paper
    /// Remembered from the paper but not confirmed (LONGMEM.md tag [recalled]).
    case recalled
}
