import Foundation

/// Progress on standard error: a bar with rate and ETA when stderr is a terminal, a plain line every few
/// seconds when it is not (CI logs), nothing with `quiet`.
public final class ProgressReporter {
    public let label: String
    public let total: Int
    private let quiet: Bool
    private let interactive: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var done = 0

    public init(label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.quiet = quiet
        interactive = isatty(STDERR_FILENO) != 0
    }

    /// Marks `count` more items done.
    public func advance(by count: Int = 1) {
        done += count
        guard !quiet else { return }
        let now = Date()
        let finished = done >= total
        guard finished || now.timeIntervalSince(lastPrint) >= (interactive ? 0.2 : 10) else { return }
        lastPrint = now
        let elapsed = max(now.timeIntervalSince(start), 1e-9)
        let rate = Double(done) / elapsed
        let remaining = rate > 0 ? Double(total - done) / rate : .infinity
        let counts = "\(done)/\(total)  \(String(format: "%.2f", rate))/s  ETA \(Self.clock(remaining))"
        if interactive {
            let width = 30
            let filled = total > 0 ? min(width, done * width / total) : width
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(counts)\(finished ? "\n" : "")".utf8))
        } else {
            FileHandle.standardError.write(Data("\(label): \(counts)\n".utf8))
        }
    }

    /// A one-off line (e.g. what is being loaded), unless quiet.
    public func note(_ message: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
