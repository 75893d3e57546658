import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Download progress on standard error: a redrawn bar with rate and ETA on a terminal, a plain line every few
/// seconds otherwise (CI logs and redirected output would fill with carriage-return garbage from a bar).
public final class DownloadProgress: @unchecked Sendable {
    public enum Style: Sendable, Equatable {
        /// A bar redrawn in place.
        case bar
        /// One line per `interval` seconds, and one at the end.
        case lines(interval: TimeInterval)
        /// Nothing.
        case silent

        /// A bar when standard error is a terminal, else a line every 5 seconds.
        public static var automatic: Style {
            isatty(STDERR_FILENO) == 1 ? .bar : .lines(interval: 5)
        }
    }

    let label: String
    let style: Style
    let write: @Sendable (String) -> Void
    let clock: @Sendable () -> TimeInterval
    private let lock = NSLock()
    private let started: TimeInterval
    private var lastDrawn: TimeInterval = -.infinity
    private var received: Int64 = 0
    private var expected: Int64?

    /// `write` defaults to standard error; `clock` (seconds) is injectable for tests.
    public init(
        label: String, style: Style = .automatic,
        write: @escaping @Sendable (String) -> Void = DownloadProgress.writeToStandardError,
        clock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.label = label
        self.style = style
        self.write = write
        self.clock = clock
        started = clock()
    }

    /// Records the bytes received so far and the total when the server announced one.
    public func update(received: Int64, expected: Int64?) {
        lock.lock()
        defer { lock.unlock() }
        self.received = received
        self.expected = expected
        let now = clock()
        switch style {
        case .silent: return
        case .bar:
            guard now - lastDrawn >= 0.1 else { return }
            write("\r" + barLine(now: now) + "\u{1B}[K")
        case .lines(let interval):
            guard now - lastDrawn >= interval else { return }
            // The first call comes at the first block: wait one interval before the first line.
            if lastDrawn == -.infinity {
                lastDrawn = now
                return
            }
            write(plainLine(now: now) + "\n")
        }
        lastDrawn = now
    }

    /// Draws the final state and ends the line; after a failure only ends a bar already drawn (the error is
    /// reported by the caller).
    public func finish(succeeded: Bool = true) {
        lock.lock()
        defer { lock.unlock() }
        let now = clock()
        switch style {
        case .silent: return
        case .bar:
            if succeeded {
                write("\r" + barLine(now: now) + "\u{1B}[K\n")
            } else if lastDrawn > -.infinity {
                write("\n")
            }
        case .lines: if succeeded { write(plainLine(now: now) + "\n") }
        }
    }

    /// `label [#######.......]  45%  12.3 MB / 27.0 MB  3.2 MB/s  ETA 5s`
    func barLine(now: TimeInterval) -> String {
        let rate = Self.rate(received: received, seconds: now - started)
        var line = label + " "
        if let expected, expected > 0 {
            let fraction = min(1, Double(received) / Double(expected))
            let width = 24
            let filled = Int((fraction * Double(width)).rounded(.down))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            line += " " + String(format: "%3d%%", Int(fraction * 100))
            line += "  \(Self.bytes(received)) / \(Self.bytes(expected))"
        } else {
            line += Self.bytes(received)
        }
        line += "  \(Self.bytes(Int64(rate)))/s"
        if let eta = eta(rate: rate) { line += "  ETA \(Self.duration(eta))" }
        return line
    }

    /// `label: 12.3 MB of 27.0 MB (45%), 3.2 MB/s, ETA 5s`
    func plainLine(now: TimeInterval) -> String {
        let rate = Self.rate(received: received, seconds: now - started)
        var line = "\(label): \(Self.bytes(received))"
        if let expected, expected > 0 {
            line += " of \(Self.bytes(expected)) (\(Int(min(1, Double(received) / Double(expected)) * 100))%)"
        }
        line += ", \(Self.bytes(Int64(rate)))/s"
        if let eta = eta(rate: rate) { line += ", ETA \(Self.duration(eta))" }
        return line
    }

    func eta(rate: Double) -> TimeInterval? {
        guard let expected, expected > received, rate > 0 else { return nil }
        return Double(expected - received) / rate
    }

    static func rate(received: Int64, seconds: TimeInterval) -> Double {
        seconds > 0 ? Double(received) / seconds : 0
    }

    /// Decimal units, one decimal: `812 B`, `12.3 kB`, `4.0 MB`, `1.2 GB`.
    static func bytes(_ count: Int64) -> String {
        let value = Double(count)
        if value < 1000 { return "\(count) B" }
        if value < 1e6 { return String(format: "%.1f kB", value / 1e3) }
        if value < 1e9 { return String(format: "%.1f MB", value / 1e6) }
        return String(format: "%.1f GB", value / 1e9)
    }

    /// `42s`, `3m05s`, `1h02m`.
    static func duration(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }
}
