#if canImport(Glibc)
import Glibc
#endif
import Metrics
import Synchronization
import Testing

struct MetricsEndpointsTests {
    static func endpoints(_ health: Health = .healthy) -> MetricsEndpoints {
        MetricsEndpoints(metrics: { "demo_total 1\n" }, health: { health })
    }

    static func respond(_ head: String, health: Health = .healthy) -> MetricsEndpoints.Response {
        endpoints(health).respond(toHead: Array(head.utf8))
    }

    @Test func pathsMethodsAndMalformedHeads() {
        let metrics = Self.respond("GET /metrics HTTP/1.1\r\nHost: x")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.body == "demo_total 1\n")
        #expect(Self.respond("GET /metrics?x=1 HTTP/1.0").status == 200)
        #expect(Self.respond("GET /healthz HTTP/1.1").body == "ok\n")
        let down = Self.respond("GET /healthz HTTP/1.1", health: .unhealthy("store unavailable:\nno such file"))
        #expect(down.status == 503)
        #expect(down.body == "store unavailable: no such file\n")
        #expect(Self.respond("GET / HTTP/1.1").status == 404)
        #expect(Self.respond("GET /wecom/callback/x HTTP/1.1").status == 404)
        let post = Self.respond("POST /metrics HTTP/1.1")
        #expect(post.status == 405)
        #expect(String(decoding: post.bytes, as: UTF8.self).contains("\r\nAllow: GET, HEAD\r\n"))
        for bad in ["", "GET", "GET /metrics", "GET metrics HTTP/1.1", "get /metrics HTTP/1.1", "GET /metrics HTTP/2",
                    "GET  /metrics HTTP/1.1", "\u{0}\u{1}\u{2}"] {
            #expect(Self.respond(bad).status == 400, "\(bad.debugDescription)")
        }
        let head = Self.respond("HEAD /metrics HTTP/1.1")
        #expect(String(decoding: head.bytes, as: UTF8.self).hasSuffix("Content-Length: 13\r\nConnection: close\r\n\r\n"))
    }

    @Test func theListenerAnswersOneRequestPerConnection() throws {
        let listener = try MetricsListener(address: "127.0.0.1:0", endpoints: Self.endpoints(), ioTimeout: .seconds(5))
        #expect(listener.address.hasPrefix("127.0.0.1:"))
        #expect(!listener.address.hasSuffix(":0"))
        let port = UInt16(listener.address.split(separator: ":").last ?? "") ?? 0
        // Both requests are sent before the listener accepts: the backlog holds them.
        let first = try TestClient(port: port, send: "GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
        let second = try TestClient(port: port, send: "BREW /pot HTTP/1.1\r\n\r\n")
        let third = try TestClient(port: port, send: String(repeating: "x", count: 9000))
        listener.serveReady()
        let answer = first.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(answer.hasSuffix("Content-Length: 13\r\nConnection: close\r\n\r\ndemo_total 1\n"))
        #expect(second.readAll().hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(third.readAll().hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
    }

    @Test func addressesThatAreNotHostAndPortAreRefused() {
        for address in ["9464", "127.0.0.1", ":9464", "127.0.0.1:99999", "127.0.0.1:x"] {
            #expect(throws: MetricsError.invalidAddress(address)) {
                try MetricsListener(address: address, endpoints: Self.endpoints())
            }
        }
    }
}

/// A blocking TCP client that sends its request at once and reads the answer to the end.
final class TestClient {
    let fd: Int32

    init(port: UInt16, send request: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw MetricsError.system(function: "connect", target: "\(port)", errno: errno) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }

    func readAll() -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            result += buffer[..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }
}
