import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemSend = Glibc.send
#elseif canImport(Darwin)
    import Darwin
    private let systemSend = Darwin.send
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests, on plain POSIX sockets (no network beyond
/// loopback, no dependency). One request per connection, answered on the accepting thread:
/// - `GET /files/NAME`: the registered bytes, with their Content-Length;
/// - `GET /wrong/NAME`: bytes of the same length with the first byte changed (a checksum mismatch);
/// - `GET /cut/NAME`: a Content-Length of the full size, half of the bytes, then the connection is closed;
/// - anything else: 404.
final class LocalHTTPServer: @unchecked Sendable {
    private let files: [String: Data]
    private let listener: Int32
    let port: UInt16
    private let lock = NSLock()
    private var stopped = false
    private var requests: [String] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(files: [String: Data]) throws {
        self.files = files
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0  // any free port
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw Failure(description: "bind/listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT/ROUTE/NAME`.
    func url(_ route: String, _ name: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)/\(route)/\(name)")!
    }

    /// The request paths served so far.
    var servedPaths: [String] {
        lock.lock()
        defer { lock.unlock() }
        return requests
    }

    /// Stops accepting; `shutdown` wakes the thread blocked in `accept`.
    func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                lock.lock()
                let done = stopped
                lock.unlock()
                if done || (errno != EINTR && errno != ECONNABORTED) { return }
                continue
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)), request.count < 65_536 {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix(while: { $0 != 13 }), as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return respond(client, status: "405 Method Not Allowed") }
        let path = String(parts[1])
        lock.lock()
        requests.append(path)
        lock.unlock()
        let components = path.split(separator: "/", maxSplits: 1).map(String.init)
        guard components.count == 2, let body = files[components[1]] else {
            return respond(client, status: "404 Not Found", body: Data("not found\n".utf8))
        }
        switch components[0] {
        case "files": respond(client, status: "200 OK", body: body)
        case "wrong":
            var corrupted = body
            if !corrupted.isEmpty { corrupted[corrupted.startIndex] ^= 0xFF }
            respond(client, status: "200 OK", body: corrupted)
        case "cut":
            let header = "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            send(client, Data(header.utf8) + body.prefix(body.count / 2))
        default: respond(client, status: "404 Not Found", body: Data("not found\n".utf8))
        }
    }

    private func respond(_ client: Int32, status: String, body: Data = Data()) {
        let header =
            "HTTP/1.1 \(status)\r\nContent-Length: \(body.count)\r\nContent-Type: application/octet-stream\r\n"
            + "Connection: close\r\n\r\n"
        send(client, Data(header.utf8) + body)
    }

    private func send(_ client: Int32, _ data: Data) {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = systemSend(client, raw.baseAddress! + offset, raw.count - offset, flags)
                if sent <= 0 { return }
                offset += sent
            }
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
