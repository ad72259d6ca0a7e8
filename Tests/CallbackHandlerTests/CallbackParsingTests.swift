import Foundation
import Testing
@testable import CallbackHandler

@Suite struct CallbackQueryTests {
    @Test func decodesPercentEscapesAndKeepsPlus() throws {
        let q = try CallbackQuery.parse("msg_signature=abc&timestamp=1700000000&nonce=12&echostr=a%2Bb%2F%3D+c&extra=1")
        #expect(q.signature == "abc")
        #expect(q.timestamp == "1700000000")
        #expect(q.nonce == "12")
        #expect(q.echostr == "a+b/= +c".replacingOccurrences(of: " ", with: ""))
    }

    static let bad: [(String, Int, String)] = [
        ("timestamp=1&nonce=1", 403, "missing msg_signature"),
        ("msg_signature=&timestamp=1&nonce=1", 403, "missing msg_signature"),
        ("msg_signature=a&nonce=1", 400, "missing timestamp"),
        ("msg_signature=a&timestamp=12a&nonce=1", 400, "timestamp is not a number"),
        ("msg_signature=a&timestamp=1", 400, "missing nonce"),
        ("msg_signature=a&msg_signature=b&timestamp=1&nonce=1", 400, "query parameter msg_signature given twice"),
        ("msg_signature=%zz&timestamp=1&nonce=1", 400, "query parameter msg_signature is not valid percent-encoding"),
        ("msg_signature=%ff&timestamp=1&nonce=1", 400, "query parameter msg_signature is not valid percent-encoding"),
        ("timestamp=1&nonce=1&msg_signature=a%2", 400, "query parameter msg_signature is not valid percent-encoding"),
        ("msg_signature=a&timestamp=1&nonce=1&nonce", 400, "query parameter nonce given twice"),
        ("msg_signature&timestamp=1&nonce=1", 403, "missing msg_signature"),
    ]

    @Test(arguments: bad) func rejects(query: String, status: Int, reason: String) {
        do {
            _ = try CallbackQuery.parse(query)
            Issue.record("accepted \(query)")
        } catch {
            #expect(error.status == status)
            #expect(error.reason == reason)
        }
    }
}

@Suite struct CallbackRouteTests {
    @Test(arguments: ["/bot_1", "/wecom/callback/bot_1", "/wecom/callback/bot_1?x=1"])
    func acceptsBotPaths(path: String) throws {
        #expect(try CallbackRoute.botID(fromPath: path) == "bot_1")
    }

    @Test(arguments: ["", "/", "/wecom/callback/", "/a/b", "/wecom/callback/a/b", "/wecom/callback/..",
                      "/" + String(repeating: "x", count: 65), "/wecom/callback/bad%2Fid", "/ä", "bot"])
    func rejectsEverythingElse(path: String) {
        #expect(throws: Rejection.self) { try CallbackRoute.botID(fromPath: path) }
    }

    @Test func sixtyFourCharactersIsTheLimit() throws {
        let id = String(repeating: "a", count: 64)
        #expect(try CallbackRoute.botID(fromPath: "/" + id) == id)
    }
}
