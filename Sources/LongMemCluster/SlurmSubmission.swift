import Foundation

/// Submits job scripts with `sbatch --parsable`, which prints the job id (`<id>` or `<id>;<cluster>`).
public enum SlurmSubmission {
    /// Submits `script`, to start only once `dependency` holds (`afterok:<job id>`), and returns its job id.
    public static func submit(_ script: String, dependency: String? = nil) throws(ClusterError) -> String {
        let arguments = ["--parsable"] + (dependency.map { ["--dependency=\($0)"] } ?? []) + [script]
        let shown = (["sbatch"] + arguments).joined(separator: " ")
        guard let sbatch = executable("sbatch") else {
            throw .commandFailed(command: shown, detail: "sbatch not found on PATH (is this a Slurm submit host?)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sbatch)
        process.arguments = arguments
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        do { try process.run() } catch {
            throw .commandFailed(command: shown, detail: error.localizedDescription)
        }
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = complaint.split(separator: "\n").last.map(String.init) ?? "no message"
            throw .commandFailed(command: shown, detail: "exit \(process.terminationStatus): \(reason)")
        }
        let id = printed.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !id.isEmpty, id.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw .commandFailed(
                command: shown,
                detail: "printed no job id (\(printed.prefix(80).split(separator: "\n").joined(separator: " ")))")
        }
        return id
    }

    /// The first `name` on `PATH` that can be run.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
