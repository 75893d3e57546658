import Foundation

/// Runs the built `longmem-eval` executable (it sits beside the test bundle in the build folder).
public enum CommandLineRunner {
    public struct Outcome: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// The run was still going at its deadline and was terminated.
        public var timedOut = false
    }

    public static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // swift test runs `<build>/debug/<Package>PackageTests.xctest`; the tool is `<build>/debug/longmem-eval`.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("longmem-eval").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return FixturePaths.root + "/.build/debug/longmem-eval"
    }

    /// Runs `longmem-eval arguments...` (in `directory`, else the current folder) and collects its exit status
    /// and output; a run still going after `deadline` seconds is terminated (a hang fails a test instead of
    /// stalling the suite).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], deadline: Double? = nil, directory: String? = nil
    ) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { $1 }
        process.environment = variables
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let expired = Expiry(process)
        if let deadline {
            DispatchQueue.global().asyncAfter(deadline: .now() + deadline) { expired.terminateIfRunning() }
        }
        // Read both pipes before waiting so a large output cannot block the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self), timedOut: expired.isMarked)
    }

    /// Terminates a run at its deadline (from another queue) and remembers that it did.
    private final class Expiry: @unchecked Sendable {
        private let lock = NSLock()
        private let process: Process
        private var marked = false
        init(_ process: Process) { self.process = process }

        func terminateIfRunning() {
            lock.withLock {
                guard process.isRunning else { return }
                marked = true
                process.terminate()
            }
        }

        var isMarked: Bool { lock.withLock { marked } }
    }
}
