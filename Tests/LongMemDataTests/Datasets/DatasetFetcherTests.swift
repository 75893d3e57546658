import Foundation
import LongMemData
import Testing

/// `datasets fetch` against a server on 127.0.0.1 started in-process: the fetcher's URL hook points the
/// manifest's files at its routes.
@Suite("Dataset downloads", .serialized)
struct DatasetFetcherTests {
    /// 300 kB, so that a cut transfer really is cut mid-body.
    static let payload: Data = {
        var bytes = [UInt8](repeating: 0, count: 300_000)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: (index &* 31) ^ (index >> 9)) }
        return Data(bytes)
    }()

    static let file = DatasetFile(
        path: "test/blob.bin", dataset: "test", bytes: payload.count, sha256: FileHash.sha256(data: payload),
        url: "https://example.invalid/blob.bin")

    /// A fetcher whose URLs go to `route` on `server`, writing into a fresh directory.
    func fetcher(_ server: LocalHTTPServer, route: String, file: DatasetFile = file) throws -> (DatasetFetcher, String)
    {
        let folder = try DatasetTestPaths.temporaryDirectory("longmem-fetch-test")
        let fetcher = DatasetFetcher(
            manifest: DatasetManifest(files: [file]), directory: DataDirectory(path: folder, rule: .explicit),
            urlOverride: { file in server.url(route, (file.path as NSString).lastPathComponent) },
            progressStyle: .silent, timeout: 10)
        return (fetcher, folder)
    }

    /// The typed error of downloading `file`, or nil when it succeeds.
    func failure(of fetcher: DatasetFetcher, _ file: DatasetFile) -> DataError? {
        do {
            _ = try fetcher.download(file)
            return nil
        } catch {
            return error
        }
    }

    /// The names in the download's folder: the final file and any temporary leftovers.
    func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/test")) ?? []).sorted()
    }

    @Test("a good file is written under its final name and verifies")
    func goodFile() throws {
        let server = try LocalHTTPServer(files: ["blob.bin": Self.payload])
        defer { server.stop() }
        let (fetcher, folder) = try fetcher(server, route: "files")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcomes = try fetcher.fetch(["test"])
        #expect(outcomes.count == 1)
        guard case .downloaded(let bytes, let sha256, let verified) = outcomes[0].status else {
            Issue.record("not downloaded: \(outcomes[0].message)")
            return
        }
        #expect(bytes == Int64(Self.payload.count) && sha256 == Self.file.sha256 && verified)
        #expect(entries(folder) == ["blob.bin"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/test/blob.bin")) == Self.payload)
        #expect(
            try DatasetVerifier(manifest: fetcher.manifest, directory: fetcher.directory).verify()[0].status
                == .verified)
        // A second fetch finds it verified and does not download again.
        let again = try fetcher.fetch(["test"])
        guard case .alreadyPresent(.verified) = again[0].status else {
            Issue.record("downloaded again: \(again[0].message)")
            return
        }
        #expect(server.servedPaths == ["/files/blob.bin"])
    }

    @Test("a wrong checksum is a typed error naming the URL, and nothing is left under the final name")
    func wrongChecksum() throws {
        let server = try LocalHTTPServer(files: ["blob.bin": Self.payload])
        defer { server.stop() }
        let (fetcher, folder) = try fetcher(server, route: "wrong")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = failure(of: fetcher, Self.file)
        guard case .checksumMismatch(let url, let path, let expected, _)? = error else {
            Issue.record("expected a checksum mismatch, got \(error?.description ?? "success")")
            return
        }
        #expect(url == server.url("wrong", "blob.bin").absoluteString)
        #expect(path == "test/blob.bin" && expected == Self.file.sha256)
        #expect(error?.description.hasPrefix("http://127.0.0.1:\(server.port)/wrong/blob.bin: SHA-256 ") == true)
        #expect(entries(folder).isEmpty, "left behind: \(entries(folder))")
    }

    @Test("a connection cut mid-transfer is a typed error, and nothing is half-written")
    func cutConnection() throws {
        let server = try LocalHTTPServer(files: ["blob.bin": Self.payload])
        defer { server.stop() }
        let (fetcher, folder) = try fetcher(server, route: "cut")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = failure(of: fetcher, Self.file)
        guard case .truncatedDownload(let url, let received, let expected)? = error else {
            Issue.record("expected a truncated transfer, got \(error?.description ?? "success")")
            return
        }
        #expect(url == server.url("cut", "blob.bin").absoluteString)
        #expect(expected == Int64(Self.payload.count) && received < expected)
        #expect(entries(folder).isEmpty, "left behind: \(entries(folder))")
    }

    @Test("a 404 is an error naming the URL and the status")
    func notFound() throws {
        let server = try LocalHTTPServer(files: [:])
        defer { server.stop() }
        let (fetcher, folder) = try fetcher(server, route: "files")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcomes = try fetcher.fetch(["test"])
        guard case .failed(let error) = outcomes[0].status else {
            Issue.record("a 404 was not a failure: \(outcomes[0].message)")
            return
        }
        let url = server.url("files", "blob.bin").absoluteString
        #expect(error == .httpStatus(url: url, status: 404))
        #expect(error.description == "\(url): HTTP status 404")
        #expect(entries(folder).isEmpty)
    }

    @Test("a file without a checksum is downloaded and reported unverified, with its SHA-256")
    func unpinnedFile() throws {
        let server = try LocalHTTPServer(files: ["blob.bin": Self.payload])
        defer { server.stop() }
        let unpinned = DatasetFile(
            path: "test/blob.bin", dataset: "test", bytes: nil, sha256: nil, url: "https://example.invalid/x")
        let (fetcher, folder) = try fetcher(server, route: "files", file: unpinned)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outcome = try fetcher.download(unpinned)
        guard case .downloaded(_, let sha256, let verified) = outcome.status else {
            Issue.record("not downloaded: \(outcome.message)")
            return
        }
        #expect(!verified && sha256 == FileHash.sha256(data: Self.payload))
        #expect(outcome.message.contains("unverified"))
    }

    @Test("a connection refused is a typed transfer error naming the URL")
    func refused() throws {
        let server = try LocalHTTPServer(files: [:])
        let url = server.url("files", "blob.bin")
        server.stop()
        let folder = try DatasetTestPaths.temporaryDirectory("longmem-fetch-test")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fetcher = DatasetFetcher(
            manifest: DatasetManifest(files: [Self.file]), directory: DataDirectory(path: folder, rule: .explicit),
            urlOverride: { _ in url }, progressStyle: .silent, timeout: 5)
        let error = failure(of: fetcher, Self.file)
        guard case .transferFailed(let failedURL, _)? = error else {
            Issue.record("expected a transfer failure, got \(error?.description ?? "success")")
            return
        }
        #expect(failedURL == url.absoluteString)
    }

    @Test("progress: a bar with rate and ETA on a terminal, plain periodic lines otherwise")
    func progressFormats() {
        final class Sink: @unchecked Sendable {
            var text = ""
            let lock = NSLock()
            func append(_ string: String) { lock.withLock { text += string } }
        }
        final class Clock: @unchecked Sendable {
            var now: TimeInterval = 100
        }
        let clock = Clock()
        let barSink = Sink()
        let bar = DownloadProgress(label: "icl/mr/test.csv", style: .bar, write: barSink.append, clock: { clock.now })
        clock.now = 102
        bar.update(received: 2_000_000, expected: 8_000_000)
        #expect(
            barSink.text.hasPrefix(
                "\ricl/mr/test.csv [######..................]  25%  2.0 MB / 8.0 MB  1.0 MB/s  ETA 6s"))
        let lineSink = Sink()
        clock.now = 0
        let lines = DownloadProgress(
            label: "f", style: .lines(interval: 5), write: lineSink.append, clock: { clock.now })
        clock.now = 1
        lines.update(received: 1000, expected: 4000)
        clock.now = 2
        lines.update(received: 1500, expected: 4000)
        #expect(lineSink.text.isEmpty)
        clock.now = 7
        lines.update(received: 3500, expected: 4000)
        #expect(lineSink.text == "f: 3.5 kB of 4.0 kB (87%), 500 B/s, ETA 1s\n")
        #expect(!lineSink.text.contains("\r"))
    }
}
