import Foundation
import LongMemTensor

/// Where a run's numbers come from: the model's weights, the data files, the tool and machine.
public enum Provenance {
    public static let toolVersion = "0.1.0"

    /// The model folder's name, path, architecture and the SHA-256 of its weight files (`*.safetensors`,
    /// `*.gguf`; one file: its digest; several: the digest of their sorted "name digest" lines).
    /// Digests are cached by path, size and modification time: hashing gigabytes once is enough.
    public static func model(directory: String, architecture: String) throws -> ModelInfo {
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
            .filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".gguf") }.sorted()
        let digests = try files.map { ($0, try cachedDigest(url.appendingPathComponent($0).path)) }
        let combined =
            digests.count == 1
            ? digests[0].1 : Digest.sha256(digests.map { "\($0.0) \($0.1)" }.joined(separator: "\n"))
        return ModelInfo(
            name: url.lastPathComponent, path: url.path, architecture: architecture, weightsSHA256: combined)
    }

    /// A data file's path relative to `root`, digest and size.
    public static func dataFile(_ path: String, root: String) throws -> DataFileInfo {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let rootPath = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        let relative = standardized.hasPrefix(rootPath) ? String(standardized.dropFirst(rootPath.count)) : standardized
        return DataFileInfo(
            path: relative, sha256: try cachedDigest(path), bytes: (attributes?[.size] as? NSNumber)?.intValue ?? 0)
    }

    /// The tool's git revision, toolchain, thread count, BLAS kernels and host.
    public static func environment(threads: Int) -> EnvironmentInfo {
        EnvironmentInfo(
            gitRevision: gitRevision(), toolchain: toolchain, threads: threads, blasCore: BLAS.coreName,
            host: ProcessInfo.processInfo.hostName, toolVersion: toolVersion)
    }

    static var toolchain: String {
        #if compiler(>=6.4)
            return "Swift 6.4+"
        #elseif compiler(>=6.3)
            return "Swift 6.3"
        #elseif compiler(>=6.2)
            return "Swift 6.2"
        #else
            return "Swift 6.1"
        #endif
    }

    /// `LONGMEM_EVAL_GIT_REVISION`, else the revision of the repository the executable was built in.
    static func gitRevision() -> String? {
        if let revision = ProcessInfo.processInfo.environment["LONGMEM_EVAL_GIT_REVISION"], !revision.isEmpty {
            return revision
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", executable.path, "rev-parse", "HEAD"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SHA-256 of a file, remembered in ~/.cache/longmem-eval/digests.json by path, size and mtime.
    static func cachedDigest(_ path: String) throws -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = "\(URL(fileURLWithPath: path).standardizedFileURL.path)|\(size)|\(modified)"
        let cachePath = NSHomeDirectory() + "/.cache/longmem-eval/digests.json"
        var cache =
            (try? JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: cachePath))))
            ?? [:]
        if let digest = cache[key] { return digest }
        let digest = try Digest.sha256(file: path)
        cache[key] = digest
        try? FileManager.default.createDirectory(
            atPath: (cachePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? AtomicWrite.json(cache, to: cachePath)
        return digest
    }
}
