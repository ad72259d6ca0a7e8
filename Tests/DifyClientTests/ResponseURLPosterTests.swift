import DifyStandIn
import Testing
@testable import DifyClient

@Suite(.timeLimit(.minutes(1))) struct ResponseURLPosterTests {
    @Test(arguments: [
        "https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRET",
        "https://qyapi.weixin.qq.com:443/cgi-bin/aibot/response?response_code=SECRET",
        "HTTPS://QYAPI.WEIXIN.QQ.COM/cgi-bin/aibot/response?response_code=SECRET",
        "https://qyapi.weixin.qq.com/cgi-bin/aibot/response",
    ])
    func weComResponseURLsAreAllowed(url: String) throws {
        _ = try ResponseURLPoster.validate(url, allowedOrigins: [])
    }

    @Test(arguments: [
        ("http://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRET", "http://qyapi.weixin.qq.com:80"),
        ("https://qyapi.weixin.qq.com:8443/cgi-bin/aibot/response?response_code=SECRET", "https://qyapi.weixin.qq.com:8443"),
        ("https://qyapi.weixin.qq.com/cgi-bin/aibot/response/../send?response_code=SECRET", "https://qyapi.weixin.qq.com:443"),
        ("https://qyapi.weixin.qq.com/cgi-bin/aibot/responseX?response_code=SECRET", "https://qyapi.weixin.qq.com:443"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET", "https://qyapi.weixin.qq.com:443"),
        ("https://qyapi.weixin.qq.com.evil.example/cgi-bin/aibot/response?response_code=SECRET", "https://qyapi.weixin.qq.com.evil.example:443"),
        ("https://qyapi.weixin.qq.com@evil.example/cgi-bin/aibot/response?response_code=SECRET", "https://evil.example:443"),
        ("https://x@qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=SECRET", "https://qyapi.weixin.qq.com:443"),
        ("https://evil.example/cgi-bin/aibot/response?response_code=SECRET", "https://evil.example:443"),
        ("http://127.0.0.1:9/cgi-bin/aibot/response?response_code=SECRET", "http://127.0.0.1:9"),
        ("http://127.0.0.1:8081/hook?response_code=SECRET", "http://127.0.0.1:8081"),
        ("https://127.0.0.1:8080/hook?response_code=SECRET", "https://127.0.0.1:8080"),
        ("ftp://127.0.0.1:8080/hook?response_code=SECRET", "ftp://127.0.0.1:8080"),
    ])
    func otherDestinationsAreRefusedWithoutTheQuery(url: String, origin: String) {
        let allowed = ["http://127.0.0.1:8080", "not a url", "http://127.0.0.1:8081/with-path"]
        #expect(throws: ResponseURLError.notAllowed(origin)) {
            try ResponseURLPoster.validate(url, allowedOrigins: allowed)
        }
        do {
            _ = try ResponseURLPoster().post(json: Array("{}".utf8), to: url, allowedOrigins: allowed)
            Issue.record("post to \(origin) was not refused")
        } catch {
            #expect(!error.description.contains("SECRET"))
        }
    }

    @Test(arguments: ["", "not a url", "/relative/path?response_code=SECRET", "https://"])
    func unparseableURLsAreRefused(url: String) {
        #expect(throws: ResponseURLError.invalidURL) { try ResponseURLPoster.validate(url, allowedOrigins: []) }
    }

    @Test(arguments: [
        ("http://127.0.0.1:8080/any/path?response_code=SECRET", ["http://127.0.0.1:8080"]),
        ("http://127.0.0.1:8080/", ["http://127.0.0.1:8080/"]),
        ("http://LOCALHOST/x", ["http://localhost:80"]),
        ("http://localhost:80/x", ["http://localhost"]),
        ("https://relay.example/hook", ["http://127.0.0.1:1", "https://relay.example"]),
    ])
    func allowedOriginsMatchSchemeHostAndPort(url: String, allowed: [String]) throws {
        _ = try ResponseURLPoster.validate(url, allowedOrigins: allowed)
    }

    @Test func postsToAnAllowedOriginAndReturnsStatusAndBody() throws {
        let server = try MediaServer()
        defer { server.stop() }
        let json = Array(#"{"msgtype":"markdown","markdown":{"content":"你好"}}"#.utf8)
        let result = try ResponseURLPoster().post(json: json, to: server.responseURL(code: "abc"), allowedOrigins: [server.baseURL])
        #expect(result.status == 200)
        #expect(result.body == #"{"errcode":0,"errmsg":"ok"}"#)
        #expect(server.requests.count == 1)
        let posted = try #require(server.postedResponses.first)
        #expect(posted.code == "abc")
        #expect(posted.request.method == "POST")
        #expect(posted.request.target == "/cgi-bin/aibot/response?response_code=abc")
        #expect(posted.headers["Content-Type"] == "application/json")
        #expect([UInt8](posted.body) == json)
    }

    @Test func redirectsAreNotFollowed() throws {
        let server = try MediaServer()
        defer { server.stop() }
        server.redirect(path: "/hook", to: "/elsewhere")
        let result = try ResponseURLPoster().post(json: [], to: server.baseURL + "/hook", allowedOrigins: [server.baseURL])
        #expect(result.status == 302)
        #expect(server.requests.map(\.target) == ["/hook"])
    }

    @Test func aClosedPortIsUnreachable() throws {
        let origin = "http://127.0.0.1:\(try HTTPServer.closedPort())"
        #expect {
            try ResponseURLPoster().post(json: [], to: origin + "/hook?response_code=SECRET", allowedOrigins: [origin])
        } throws: { error in
            guard case ResponseURLError.unreachable(let reason) = error else { return false }
            return !reason.contains("SECRET")
        }
    }
}
