import FastCGITestClient
import Testing
@testable import FastCGIServer

/// A connection whose input was read to its end is closed at once; one with input left unread
/// gets libfcgi's lingering close, so the peer never sees a reset under its response.
@Suite("Closing the connection after a response", .timeLimit(.minutes(1)))
struct ConnectionCloseTests {
    typealias Client = FastCGITestClient

    private static func post(length: Int) -> [(String, String)] {
        Client.nginxParams(method: "POST", scriptName: "/wecom/callback", pathInfo: "/bot_7",
                           contentLength: "\(length)")
    }

    @Test func aBodyReadToItsEndIsClosedAtOnce() throws {
        try withRunningServer(handler: { FastCGIResponse(status: 200, body: $0.body) }) { server in
            let body = [UInt8](repeating: 0x42, count: 3000)
            let (response, close) = try server.sendObservingClose(Self.post(length: body.count), stdin: body)
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(close == .closedAtOnce)
        }
    }

    @Test func aRequestWithoutBodyIsClosedAtOnce() throws {
        try withRunningServer { server in
            let (response, close) = try server.sendObservingClose(
                Client.nginxParams(method: "GET", scriptName: "/wecom/callback", pathInfo: "/bot_7", query: "a=1"))
            #expect(response.status == 200)
            #expect(close == .closedAtOnce)
        }
    }

    @Test func aRefusedBodyGetsTheLingeringCloseAndTheServerGoesOn() throws {
        try withRunningServer(options: FastCGIServerOptions(maxBodyBytes: 1000)) { server in
            let (response, close) = try server.sendObservingClose(
                Self.post(length: 1001), stdin: [UInt8](repeating: 0x41, count: 1001))
            #expect(response.status == 413)
            #expect(close == .lingering)
            #expect(try server.send(Self.post(length: 10), stdin: [UInt8](repeating: 0x41, count: 10)).status == 200)
        }
    }

    @Test func inputBeyondTheDeclaredLengthGetsTheLingeringClose() throws {
        try withRunningServer(handler: { FastCGIResponse(status: 200, body: $0.body) }) { server in
            let (response, close) = try server.sendObservingClose(
                Self.post(length: 10), stdin: Array("0123456789-and-more".utf8))
            #expect(response.status == 200)
            #expect(response.bodyText == "0123456789")
            #expect(close == .lingering)
        }
    }
}
