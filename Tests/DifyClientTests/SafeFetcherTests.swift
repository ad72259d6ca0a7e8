import DifyStandIn
import Foundation
import Testing
@testable import DifyClient

/// A media server with a few routes: `/image` (PNG-ish bytes), `/chunked/<n>` (n KiB without a
/// length), `/big` (an honest Content-Length), `/redirect/<n>` (a chain of n redirects ending at
/// `/image`), `/to/<url>` (one redirect to url); anything else is 404.
private func mediaServer() throws -> MediaServer {
    let server = try MediaServer()
    server.serve(path: "/image", bytes: Data(imageBytes), contentType: "image/png")
    server.routes.addPrefix("GET", "/chunked/") { request, writer in
        guard let kib = Int(request.path.dropFirst("/chunked/".count)) else { return writer.respond(status: 404) }
        guard writer.writeHead(status: 200, headers: ["Content-Type": "application/octet-stream", "Connection": "close"],
                               framing: .chunked) else { return }
        for _ in 0..<kib {
            guard writer.write([UInt8](repeating: 0xAB, count: 1024)) else { return }
        }
    }
    server.serve(path: "/big", bytes: Data(repeating: 1, count: 200_000), contentType: "image/jpeg")
    for hops in 1...4 {
        server.redirect(path: "/redirect/\(hops)", to: hops <= 1 ? "/image" : "/redirect/\(hops - 1)")
    }
    server.routes.addPrefix(nil, "/to/") { request, writer in
        let target = String(request.target.dropFirst("/to/".count))
        writer.respond(status: 301, headers: ["Location": target, "Content-Type": "text/plain"], body: Data("<a>moved</a>".utf8))
    }
    return server
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
        let server = try mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.baseURL + "/image", maxBytes: 1 << 20, allowPrivate: true)
        #expect(resource == FetchedResource(bytes: imageBytes, contentType: "image/png", finalURL: server.baseURL + "/image"))
    }

    @Test func redirectsWithinTheLimitAreFollowed() throws {
        let server = try mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.baseURL + "/redirect/3", maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 3)
        #expect(resource.bytes == imageBytes)
        #expect(resource.finalURL == server.baseURL + "/image")
    }

    @Test func aLongerRedirectChainIsRefused() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooManyRedirects) {
            try SafeFetcher().fetch(server.baseURL + "/redirect/4", maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 3)
        }
        #expect(server.requests.count == 4)
    }

    @Test func aChunkedBodyPastTheCapStopsTheDownload() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooLarge(50_000)) {
            try SafeFetcher().fetch(server.baseURL + "/chunked/4096", maxBytes: 50_000, allowPrivate: true)
        }
    }

    @Test func aChunkedBodyWithinTheCapIsKept() throws {
        let server = try mediaServer()
        defer { server.stop() }
        let resource = try SafeFetcher().fetch(server.baseURL + "/chunked/8", maxBytes: 8192, allowPrivate: true)
        #expect(resource.bytes == [UInt8](repeating: 0xAB, count: 8192))
    }

    @Test func anHonestContentLengthPastTheCapFailsEarly() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.tooLarge(100_000)) {
            try SafeFetcher().fetch(server.baseURL + "/big", maxBytes: 100_000, allowPrivate: true)
        }
    }

    @Test func aNon2xxStatusIsAnHTTPError() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.http(404)) {
            try SafeFetcher().fetch(server.baseURL + "/missing", maxBytes: 1 << 20, allowPrivate: true)
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

    @Test func aRedirectToAnotherSchemeIsRefused() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.scheme("ftp")) {
            try SafeFetcher().fetch(server.baseURL + "/to/ftp://127.0.0.1/x", maxBytes: 1024, allowPrivate: true)
        }
    }

    @Test func loopbackIsRefusedUnlessPrivateAddressesAreAllowed() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect(throws: FetchError.forbiddenAddress("127.0.0.1")) {
            try SafeFetcher().fetch(server.baseURL + "/image", maxBytes: 1 << 20, allowPrivate: false)
        }
        #expect(server.server.acceptedConnections == 0)  // refused before connecting
        #expect(try SafeFetcher().fetch(server.baseURL + "/image", maxBytes: 1 << 20, allowPrivate: true).bytes == imageBytes)
    }

    @Test func namesResolvingToLoopbackAreRefused() throws {
        let server = try mediaServer()
        defer { server.stop() }
        #expect {
            try SafeFetcher().fetch("http://localhost:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        } throws: { error in
            guard case FetchError.forbiddenAddress(let address) = error else { return false }
            return address == "127.0.0.1" || address == "::1"
        }
    }

    @Test func aRedirectToAPrivateAddressIsRefused() throws {
        let server = try mediaServer()
        defer { server.stop() }
        // 127.0.0.1 plays a public host; it redirects to 127.0.0.2, which is loopback like any 127/8.
        #expect(try loopbackAsPublic.fetch(server.baseURL + "/image", maxBytes: 1 << 20, allowPrivate: false).bytes == imageBytes)
        #expect(throws: FetchError.forbiddenAddress("127.0.0.2")) {
            try loopbackAsPublic.fetch(
                server.baseURL + "/to/http://127.0.0.2:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        }
        #expect(throws: FetchError.forbiddenAddress("::ffff:10.0.0.1")) {
            try loopbackAsPublic.fetch(
                server.baseURL + "/to/http://[::ffff:10.0.0.1]:\(server.port)/image", maxBytes: 1 << 20, allowPrivate: false)
        }
    }

    @Test func aClosedPortIsUnreachable() throws {
        #expect {
            try SafeFetcher().fetch("http://127.0.0.1:\(try HTTPServer.closedPort())/x?sig=SECRET", maxBytes: 1024, allowPrivate: true)
        } throws: { error in
            guard case FetchError.unreachable(let reason) = error else { return false }
            return !reason.contains("SECRET")
        }
    }
}
