import FastCGITestClient
import Testing
@testable import FastCGIServer

@Suite("Request handling over a real unix socket", .timeLimit(.minutes(1)))
struct RequestHandlingTests {
    typealias Client = FastCGITestClient

    @Test func getWithQueryAndPathInfoReachesTheApplicationExactly() throws {
        let query = "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
        try withRunningServer(handler: { _ in
            FastCGIResponse(status: 200, body: Array("echo-reply".utf8), headers: [("X-Bot", "bot_7")],
                            logFields: [("wecom.botid", "bot_7")])
        }) { server in
            let response = try server.send(Client.nginxParams(method: "GET", scriptName: "/wecom/callback",
                                                              pathInfo: "/bot_7", query: query))
            #expect(response.status == 200)
            #expect(response.header("Status") == "200 OK")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.header("Content-Length") == "10")
            #expect(response.header("X-Bot") == "bot_7")
            #expect(response.bodyText == "echo-reply")

            let seen = try #require(server.recorder.all.first)
            #expect(server.recorder.all.count == 1)
            #expect(seen.method == "GET")
            #expect(seen.scriptName == "/wecom/callback")
            #expect(seen.pathInfo == "/bot_7")
            #expect(seen.requestURI == "/wecom/callback/bot_7?" + query)
            #expect(seen.queryString == query)
            #expect(seen.contentType == "")
            #expect(seen.body.isEmpty)
        }
    }

    @Test func postBodyOf100KBArrivesByteExact() throws {
        let body = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        try withRunningServer(handler: { request in
            FastCGIResponse(status: 200, contentType: "application/octet-stream", body: request.body.reversed())
        }) { server in
            let response = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7",
                                   query: "timestamp=1", contentType: "text/xml", contentLength: "\(body.count)"),
                stdin: body)
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == "100000")
            #expect(response.body == body.reversed())
            let seen = try #require(server.recorder.all.first)
            #expect(seen.body == body)
            #expect(seen.contentType == "text/xml")
        }
    }

    @Test func bodyOverTheLimitGets413AndNeverReachesTheApplication() throws {
        try withRunningServer(options: FastCGIServerOptions(maxBodyBytes: 1000)) { server in
            let response = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7",
                                   contentLength: "1001"),
                stdin: [UInt8](repeating: 0x41, count: 1001))
            #expect(response.status == 413)
            #expect(response.header("Status") == "413 Content Too Large")
            #expect(server.recorder.all.isEmpty)

            let atLimit = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7",
                                   contentLength: "1000"),
                stdin: [UInt8](repeating: 0x41, count: 1000))
            #expect(atLimit.status == 200)
            #expect(server.recorder.all.count == 1)
        }
    }

    @Test func absurdContentLengthIs413NotACrash() throws {
        try withRunningServer { server in
            let response = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/s", pathInfo: "/b",
                                   contentLength: "99999999999999999999999999"))
            #expect(response.status == 413)
            #expect(server.recorder.all.isEmpty)
        }
    }

    @Test func bodyShorterThanContentLengthGets400() throws {
        try withRunningServer { server in
            let response = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7",
                                   contentLength: "100"),
                stdin: [UInt8](repeating: 0x42, count: 60))
            #expect(response.status == 400)
            #expect(server.recorder.all.isEmpty)
            let line = try #require(server.logs.waitFor(count: 1).last)
            #expect(line.metadata["fcgi.reason"] == "body ended after 60 of 100 bytes")
        }
    }

    @Test(arguments: ["abc", "-1", "12 ", "0x10"])
    func invalidContentLengthGets400(_ value: String) throws {
        try withRunningServer { server in
            let response = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/s", pathInfo: "/b", contentLength: value), stdin: [1, 2])
            #expect(response.status == 400)
            #expect(server.recorder.all.isEmpty)
        }
    }

    @Test func missingParamsBecomeEmptyStrings() throws {
        try withRunningServer { server in
            let response = try server.send([("REQUEST_METHOD", "GET")])
            #expect(response.status == 200)
            let seen = try #require(server.recorder.all.first)
            #expect(seen.pathInfo == "" && seen.scriptName == "" && seen.requestURI == "" && seen.queryString == "")
        }
    }

    @Test func serverKeepsServingAcrossManyRequests() throws {
        try withRunningServer(handler: { request in
            FastCGIResponse(status: 200, body: Array(request.pathInfo.utf8))
        }) { server in
            for i in 0..<50 {
                let response = try server.send(Client.nginxParams(method: "GET", scriptName: "/s", pathInfo: "/\(i)"))
                #expect(response.bodyText == "/\(i)")
            }
            #expect(server.recorder.all.count == 50)
        }
    }

    @Test func oneLogLinePerRequestWithoutQueryOrBody() throws {
        let secret = "msg_signature=deadbeefcafe"
        try withRunningServer(handler: { request in
            request.method == "GET"
                ? FastCGIResponse(status: 200, logFields: [("wecom.botid", "bot_7"), ("wecom.msgtype", "text")])
                : FastCGIResponse(status: 403, reason: "bad signature", logFields: [("wecom.botid", "bot_7")])
        }) { server in
            _ = try server.send(Client.nginxParams(method: "GET", scriptName: "/wecom/callback", pathInfo: "/bot_7", query: secret))
            _ = try server.send(
                Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7", query: secret,
                                   contentLength: "11"),
                stdin: Array("BODY-SECRET".utf8))
            let lines = server.logs.waitFor(count: 2)
            #expect(lines.count == 2)
            let ok = try #require(lines.first)
            #expect(ok.level == .info)
            #expect(ok.message == "GET /wecom/callback/bot_7 200")
            #expect(ok.metadata["wecom.botid"] == "bot_7")
            #expect(ok.metadata["wecom.msgtype"] == "text")
            #expect(Int(ok.metadata["fcgi.duration_us"] ?? "") != nil)
            let rejected = try #require(lines.last)
            #expect(rejected.level == .warning)
            #expect(rejected.message == "POST /wecom/callback/bot_7 403")
            #expect(rejected.metadata["fcgi.reason"] == "bad signature")
            for line in lines {
                #expect(!line.text.contains("deadbeef"))
                #expect(!line.text.contains("BODY-SECRET"))
            }
        }
    }

    /// Refresh polls are routine: their success is a debug line, their failure still a warning.
    @Test func routineRequestsLogAtDebugUnlessRefused() throws {
        try withRunningServer(handler: { request in
            FastCGIResponse(status: request.pathInfo == "/ok" ? 200 : 403, routine: true)
        }) { server in
            _ = try server.send(Client.nginxParams(method: "POST", scriptName: "/s", pathInfo: "/ok"))
            _ = try server.send(Client.nginxParams(method: "POST", scriptName: "/s", pathInfo: "/no"))
            let lines = server.logs.waitFor(count: 2)
            #expect(lines.map(\.level) == [.debug, .warning])
        }
    }

    @Test func pathWithControlCharactersIsLoggedOnOneLine() throws {
        try withRunningServer { server in
            _ = try server.send(Client.nginxParams(method: "GET", scriptName: "/s", pathInfo: "/a\nINFO forged"))
            let line = try #require(server.logs.waitFor(count: 1).first)
            #expect(line.message == "GET /s/a?INFO forged 200")
        }
    }

    @Test func invalidApplicationStatusBecomes500() throws {
        try withRunningServer(handler: { _ in FastCGIResponse(status: 42) }) { server in
            let response = try server.send(Client.nginxParams(method: "GET", scriptName: "/s", pathInfo: "/b"))
            #expect(response.status == 500)
        }
    }

    @Test func requestShutdownBeforeAnyRequestReturnsPromptly() throws {
        try withRunningServer { _ in }
    }
}
