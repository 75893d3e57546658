import Foundation

/// fairseq's `polynomial_decay` (the official recipe: power 1, end 0, no warm-up): linear warm-up over
/// `warmup` updates, then decay from `peak` to 0 at update `total`.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    public var peak: Float
    public var warmup: Int
    public var total: Int

    public init(peak: Float, warmup: Int, total: Int) {
        self.peak = peak
        self.warmup = warmup
        self.total = total
    }

    /// The rate of update `update` (1-based). fairseq sets the rate after each update from the count of
    /// updates done, so update k uses the rate of count k - 1 (and the first warm-up update peak / warmup).
    public func rate(forUpdate update: Int) -> Float {
        let done = update - 1
        if warmup > 0, done <= warmup { return peak * Float(max(done, 1)) / Float(warmup) }
        if done >= total { return 0 }
        return peak * (1 - Float(done - warmup) / Float(total - warmup))
    }
}
