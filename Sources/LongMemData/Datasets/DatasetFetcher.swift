import Crypto
import Foundation
import LongMemHarness
import LongMemTensor

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Downloads dataset files from their canonical URLs into the data directory, verifying each one.
///
/// A file only ever appears under its final name complete and checked: the bytes go to a hidden temporary
/// file in the same directory (so the final `rename` stays on one file system and is atomic), are hashed as
/// they arrive, synced to disk, compared with the manifest's size and SHA-256, and only then renamed into
/// place. Any failure (HTTP status, a connection cut before the announced length, a size or checksum
/// mismatch) deletes the temporary file and throws a typed error naming the URL. Downloads are not resumed:
/// the files are small enough that starting again is simpler than trusting a partial file.
public struct DatasetFetcher: Sendable {
    public let manifest: DatasetManifest
    public let directory: DataDirectory
    /// Replaces a file's URL (tests point it at a local server; a mirror could too). Nil keeps the manifest's.
    public var urlOverride: (@Sendable (DatasetFile) -> URL?)?
    /// How progress is shown on standard error.
    public var progressStyle: DownloadProgress.Style
    /// Seconds without data before a transfer is abandoned.
    public var timeout: TimeInterval

    public init(
        manifest: DatasetManifest = .embedded, directory: DataDirectory,
        urlOverride: (@Sendable (DatasetFile) -> URL?)? = nil, progressStyle: DownloadProgress.Style = .automatic,
        timeout: TimeInterval = 60
    ) {
        self.manifest = manifest
        self.directory = directory
        self.urlOverride = urlOverride
        self.progressStyle = progressStyle
        self.timeout = timeout
    }

    /// What happened to one file.
    public struct Outcome: Sendable {
        public enum Status: Sendable {
            /// Downloaded and renamed into place; `verified` is false when the manifest has no checksum.
            case downloaded(bytes: Int64, sha256: String, verified: Bool)
            /// Already present and verified (or present, for a file without a checksum); not downloaded again.
            case alreadyPresent(FileVerification.Status)
            /// A local document with no public URL.
            case noURL
            case failed(DataError)
        }

        public let file: DatasetFile
        public let path: String
        public let status: Status

        public var isFailure: Bool {
            if case .failed = status { return true }
            return false
        }

        /// One line for the terminal.
        public var message: String {
            switch status {
            case .downloaded(let bytes, let sha256, let verified):
                return verified
                    ? "\(path): downloaded \(bytes) bytes, verified"
                    : "\(path): downloaded \(bytes) bytes, sha256 \(sha256) (unverified: no published checksum)"
            case .alreadyPresent(let status): return "\(path): already present (\(status.label)), skipped"
            case .noURL: return "\(path): local document without a public URL, skipped"
            case .failed(let error): return "\(error)"
            }
        }
    }

    /// Fetches every file of the named datasets (all when empty) that is not already present and verified.
    /// File failures are outcomes, so one bad URL does not stop the rest; an unknown name throws.
    public func fetch(_ names: [String], force: Bool = false) throws(DataError) -> [Outcome] {
        let verifier = DatasetVerifier(manifest: manifest, directory: directory)
        var outcomes: [Outcome] = []
        for file in try manifest.files(in: names) {
            let path = directory.path(of: file.path)
            let current = verifier.verify(file: file).status
            if !force, !current.isProblem {
                outcomes.append(Outcome(file: file, path: path, status: .alreadyPresent(current)))
            } else if file.url == nil && urlOverride?(file) == nil {
                outcomes.append(Outcome(file: file, path: path, status: .noURL))
            } else {
                do throws(DataError) {
                    outcomes.append(try download(file))
                } catch {
                    outcomes.append(Outcome(file: file, path: path, status: .failed(error)))
                }
            }
        }
        return outcomes
    }

    /// Downloads one file, verifies it and renames it into place.
    public func download(_ file: DatasetFile) throws(DataError) -> Outcome {
        let destination = directory.path(of: file.path)
        guard let url = urlOverride?(file) ?? file.url.flatMap(URL.init(string:)) else {
            throw DataError.noURL(path: file.path)
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let folderExisted = FileManager.default.fileExists(atPath: folder)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DataError.unwritable(path: folder, reason: error.localizedDescription)
        }
        let name = (destination as NSString).lastPathComponent
        let temporary = folder + "/.\(name).partial-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw DataError.unwritable(path: temporary, reason: "cannot create a temporary file")
        }
        var keepTemporary = false
        defer {
            if !keepTemporary {
                try? FileManager.default.removeItem(atPath: temporary)
                // Do not leave an empty folder behind either (rmdir fails on a folder with files).
                if !folderExisted { _ = rmdir(folder) }
            }
        }
        let handle: FileHandle
        do { handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary)) } catch {
            throw DataError.unwritable(path: temporary, reason: error.localizedDescription)
        }
        let progress = DownloadProgress(label: file.path, style: progressStyle)
        let transfer = Transfer(url: url, handle: handle, path: temporary, progress: progress)
        let result = transfer.run(timeout: timeout)
        progress.finish(succeeded: (try? result.get()) != nil)
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw DataError.unwritable(path: temporary, reason: error.localizedDescription)
        }
        let received = try result.get()
        if let expected = file.bytes, Int64(expected) != received.bytes {
            throw DataError.sizeMismatch(
                url: url.absoluteString, path: file.path, expected: expected, actual: Int(received.bytes))
        }
        if let expected = file.sha256?.lowercased(), expected != received.sha256 {
            throw DataError.checksumMismatch(
                url: url.absoluteString, path: file.path, expected: expected, actual: received.sha256)
        }
        do { try AtomicFile.install(temporary, at: destination) } catch {
            throw DataError.unwritable(path: destination, reason: "\(error)")
        }
        keepTemporary = true
        return Outcome(
            file: file, path: destination,
            status: .downloaded(bytes: received.bytes, sha256: received.sha256, verified: file.sha256 != nil))
    }
}

/// One HTTP GET streamed into a file handle and a SHA-256, run synchronously.
///
/// The URLSession delegate callbacks arrive on a private serial queue; the state they build is read by the
/// caller only after the completion callback has signalled the semaphore, and under the lock.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Received {
        let bytes: Int64
        let sha256: String
    }

    let url: URL
    let handle: FileHandle
    /// The temporary file's path, for errors.
    let path: String
    let progress: DownloadProgress
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var hasher = SHA256()
    private var received: Int64 = 0
    private var expected: Int64?
    private var failure: DataError?

    init(url: URL, handle: FileHandle, path: String, progress: DownloadProgress) {
        self.url = url
        self.handle = handle
        self.path = path
        self.progress = progress
    }

    func run(timeout: TimeInterval) -> Result<Received, DataError> {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: URLRequest(url: url)).resume()
        done.wait()
        session.finishTasksAndInvalidate()
        lock.lock()
        defer { lock.unlock() }
        if let failure { return .failure(failure) }
        return .success(Received(bytes: received, sha256: Digest.hex(hasher.finalize())))
    }

    private func fail(_ error: DataError) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            fail(.httpStatus(url: url.absoluteString, status: http.statusCode))
            completionHandler(.cancel)
            return
        }
        lock.lock()
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        guard failure == nil else {
            lock.unlock()
            return
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = .unwritable(path: path, reason: error.localizedDescription)
            lock.unlock()
            dataTask.cancel()
            return
        }
        hasher.update(data: data)
        received += Int64(data.count)
        let (now, total) = (received, expected)
        lock.unlock()
        progress.update(received: now, expected: total)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        let (now, total) = (received, expected)
        lock.unlock()
        if let total, now < total {
            // A connection cut mid-transfer: report it as such whatever error (if any) the stack gave.
            fail(.truncatedDownload(url: url.absoluteString, received: now, expected: total))
        } else if let error {
            fail(.transferFailed(url: url.absoluteString, reason: error.localizedDescription))
        }
        done.signal()
    }
}
