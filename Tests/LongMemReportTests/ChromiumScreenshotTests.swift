import Foundation
import LongMemReport
import LongMemTensor
import LongMemTestSupport
import Testing

/// Renders the fixture report in headless Chromium (Debian's `chromium` package; CI installs it) and checks
/// that the screenshot decodes and shows a page, not a blank or error screen. The PNG is kept at
/// Reports/artifacts/report-screenshot.png (git-ignored) for CI to archive and for people to look at.
@Suite("Report in a browser")
struct ChromiumScreenshotTests {
    static let artifacts = FixturePaths.root + "/Reports/artifacts"

    static func chromium() -> String? {
        let candidates =
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").flatMap {
                ["\($0)/chromium", "\($0)/chromium-browser"]
            }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("headless Chromium renders report.html to a non-blank 1280x2000 screenshot")
    func screenshot() throws {
        guard let chromium = Self.chromium() else {
            Issue.record(
                "chromium is not installed: install Debian's package (apt-get install -y chromium; Scripts/setup.sh and CI do) to run this test"
            )
            return
        }
        let html = Self.artifacts + "/report.html"
        let png = Self.artifacts + "/report-screenshot.png"
        try AtomicFile.write(HTMLRenderer.render(ReportFixtures.document()), to: html, createFolder: true)
        try? FileManager.default.removeItem(atPath: png)
        let profile = ReportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: profile) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. A private profile
        // keeps parallel or leftover Chromium processes from sharing a lock.
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1280,2000",
            URL(fileURLWithPath: html).absoluteString,
        ]
        let log = Pipe()
        process.standardOutput = log
        process.standardError = log
        let started = Date()
        try process.run()
        let output = log.fileHandleForReading.readDataToEndOfFile()
        // Chromium finishes in seconds; the pipe closes when it exits, or we give up after two minutes.
        while process.isRunning && Date().timeIntervalSince(started) < 120 { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("chromium did not finish within 120 s")
            return
        }
        let tail = String(decoding: output.suffix(2000), as: UTF8.self)
        try #require(FileManager.default.fileExists(atPath: png), "no screenshot written; chromium said: \(tail)")

        let image = try PNGImage(contentsOf: png)
        #expect(image.width == 1280)
        #expect(image.height == 2000)
        // Blank check: the page background is the most common colour; a rendered report has text, table
        // borders and a chart on top of it, an empty or error page has next to nothing.
        var histogram: [UInt32: Int] = [:]
        var dark = 0
        for y in stride(from: 0, to: image.height, by: 2) {
            for x in stride(from: 0, to: image.width, by: 2) {
                let colour = image.rgb(x: x, y: y)
                histogram[colour, default: 0] += 1
                let luminance =
                    (Int(colour >> 16) * 299 + Int(colour >> 8 & 0xFF) * 587 + Int(colour & 0xFF) * 114) / 1000
                if luminance < 96 { dark += 1 }
            }
        }
        let sampled = (image.width / 2) * (image.height / 2)
        let background = histogram.values.max() ?? 0
        let foreground = Double(sampled - background) / Double(sampled)
        #expect(foreground > 0.03, "only \(foreground * 100)% of the pixels differ from the background")
        #expect(Double(dark) / Double(sampled) > 0.005, "almost no dark (text) pixels")
        #expect(histogram.count > 50, "only \(histogram.count) distinct colours: no chart or anti-aliased text")
        print(
            "chromium screenshot: \(png), \(String(format: "%.1f", Date().timeIntervalSince(started))) s, "
                + "\(String(format: "%.1f", foreground * 100))% non-background pixels, \(histogram.count) colours")
    }
}
