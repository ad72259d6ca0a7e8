import Testing
@testable import DifyClient

/// A server with a few routes: `/image` (PNG-ish bytes), `/chunked/<n>` (n KiB without a length),
/// `/big` (an honest Content-Length), `/redirect/<n>` (a chain of n redirects ending at `/image`),
/// `/to/<url>` (one redirect to url), `/missing` (404).
private func mediaServer() -> LoopbackHTTPServer {
    LoopbackHTTPServer { request, connection in
        let path = request.target
        if path == "/image" {
            connection.respond(status: 200, contentType: "image/png", body: imageBytes)
        } else if path.hasPrefix("/chunked/"), let kib = Int(path.dropFirst("/chunked/".count)) {
            connection.writeHead(status: 200, headers: ["Content-Type: application/octet-stream", "Transfer-Encoding: chunked", "Connection: close"])
            for _ in 0..<kib {
                guard connection.writeChunk([UInt8](repeating: 0xAB, count: 1024)) else { return }
            }
            connection.endChunks()
        } else if path == "/big" {
            connection.respond(status: 200, contentType: "image/jpeg", body: [UInt8](repeating: 1, count: 200_000))
        } else if path.hasPrefix("/redirect/"), let hops = Int(path.dropFirst("/redirect/".count)) {
            let next = hops <= 1 ? "/image" : "/redirect/\(hops - 1)"
            connection.respond(status: 302, reason: "Found", contentType: "text/plain", body: "moved", extraHeaders: ["Location: \(next)"])
        } else if path.hasPrefix("/to/") {
            let target = String(path.dropFirst("/to/".count))
            connection.respond(status: 301, reason: "Moved", contentType: "text/plain", body: "<a>moved</a>", extraHeaders: ["Location: \(target)"])
        } else {
            connection.respond(status: 404, reason: "Not Found", contentType: "text/html", body: "<h1>nope</h1>")
        }
    }
}

private let imageBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<2000).map { UInt8($0 % 251) }

/// A fetcher for which 127.0.0.1 counts as public (the test server's "public" first hop).
private var loopbackAsPublic: SafeFetcher {
    var fetcher = SafeFetcher()
    fetcher.alsoAllowed = [IPAddress("127.0.0.1")!]
    return fetcher
}

@Suite(.timeLimit(.minutes(1))) struct SafeFetcherTests {
    @Test func aFetchReturnsBytesTypeAndFinalURL() throws {
        let server = mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.origin + "/image", maxBytes: 1 << 20, allowPrivate: true)
        #expect(resource == FetchedResource(bytes: imageBytes, contentType: "image/png", finalURL: server.origin + "/image"))
    }

    @Test func redirectsWithinTheLimitAreFollowed() throws {
        let server = mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.origin + "/redirect/3", maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 3)
        #expect(resource.bytes == imageBytes)
        #expect(resource.finalURL == server.origin + "/image")
    }

    @Test func aLongerRedirectChainIsRefused() {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooManyRedirects) {
            try SafeFetcher().fetch(server.origin + "/redirect/4", maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 3)
        }
        #expect(server.requests.count == 4)
    }

    @Test func aChunkedBodyPastTheCapStopsTheDownload() {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooLarge(50_000)) {
            try SafeFetcher().fetch(server.origin + "/chunked/4096", maxBytes: 50_000, allowPrivate: true)
        }
    }

    @Test func aChunkedBodyWithinTheCapIsKept() throws {
        let server = mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.origin + "/chunked/8", maxBytes: 8192, allowPrivate: true)
        #expect(resource.bytes == [UInt8](repeating: 0xAB, count: 8192))
    }

    @Test func anHonestContentLengthPastTheCapFailsEarly() {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooLarge(100_000)) {
            try SafeFetcher().fetch(server.origin + "/big", maxBytes: 100_000, allowPrivate: true)
        }
    }

    @Test func aNon2xxStatusIsAnHTTPError() {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.http(404)) {
            try SafeFetcher().fetch(server.origin + "/missing", maxBytes: 1 << 20, allowPrivate: true)
        }
    }

    @Test(arguments: [
        ("ftp://127.0.0.1/file", "ftp"), ("file:///etc/passwd", "file"), ("gopher://127.0.0.1/", "gopher"),
        ("javascript://x/alert(1)", "javascript"), ("dict://127.0.0.1:11211/stats", "dict"),
    ])
    func onlyHTTPAndHTTPSAreFetched(url: String, scheme: String) {
        #expect(throws: FetchError.scheme(scheme)) { try SafeFetcher().fetch(url, maxBytes: 1024, allowPrivate: true) }
    }

    @Test func unparseableURLsAreRefused() {
        #expect(throws: FetchError.invalidURL) { try SafeFetcher().fetch("not a url", maxBytes: 1024, allowPrivate: true) }
    }

    @Test func aRedirectToAnotherSchemeIsRefused() {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.scheme("ftp")) {
            try SafeFetcher().fetch(server.origin + "/to/ftp://127.0.0.1/x", maxBytes: 1024, allowPrivate: true)
        }
    }

    @Test func loopbackIsRefusedUnlessPrivateAddressesAreAllowed() throws {
        let server = mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.forbiddenAddress("127.0.0.1")) {
            try SafeFetcher().fetch(server.origin + "/image", maxBytes: 1 << 20, allowPrivate: false)
        }
        #expect(server.connectionCount == 0)  // refused before connecting
        #expect(try SafeFetcher().fetch(server.origin + "/image", maxBytes: 1 << 20, allowPrivate: true).bytes == imageBytes)
    }

    @Test func namesResolvingToLoopbackAreRefused() {
        let server = mediaServer()
        defer { server.stop() }
        #expect {
            try SafeFetcher().fetch("http://localhost:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        } throws: { error in
            guard case FetchError.forbiddenAddress(let address) = error else { return false }
            return address == "127.0.0.1" || address == "::1"
        }
    }

    @Test func aRedirectToAPrivateAddressIsRefused() throws {
        let server = mediaServer()
        defer { server.stop() }
        // 127.0.0.1 plays a public host; it redirects to 127.0.0.2, which is loopback like any 127/8.
        #expect(try loopbackAsPublic.fetch(server.origin + "/image", maxBytes: 1 << 20, allowPrivate: false).bytes == imageBytes)
        #expect(throws: FetchError.forbiddenAddress("127.0.0.2")) {
            try loopbackAsPublic.fetch(
                server.origin + "/to/http://127.0.0.2:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        }
        #expect(throws: FetchError.forbiddenAddress("::ffff:10.0.0.1")) {
            try loopbackAsPublic.fetch(
                server.origin + "/to/http://[::ffff:10.0.0.1]:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        }
    }

    @Test func aClosedPortIsUnreachable() {
        #expect {
            try SafeFetcher().fetch("http://127.0.0.1:\(closedLoopbackPort())/x?sig=SECRET", maxBytes: 1024, allowPrivate: true)
        } throws: { error in
            guard case FetchError.unreachable(let reason) = error else { return false }
            return !reason.contains("SECRET")
        }
    }
}
