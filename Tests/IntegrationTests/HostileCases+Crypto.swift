import Foundation
import WeComCrypto

/// Hostile ciphertexts and plaintexts, all correctly signed: each reaches the stage it attacks.
extension HostileInputTests {
    static func signed(_ w: WeComSimulator, encrypt: String) -> HostileRequest {
        let (t, b) = w.signed(encrypt: encrypt)
        return HostileRequest(method: "POST", target: t, body: b)
    }

    static func plaintext(_ w: WeComSimulator, _ json: String) throws -> HostileRequest {
        let (t, b) = try w.signedPlaintext(json)
        return HostileRequest(method: "POST", target: t, body: b)
    }

    /// A real ciphertext of `message` (plus trailing blanks, still the same JSON) whose base64
    /// contains one of `characters`.
    static func ciphertext(_ w: WeComSimulator, containing characters: String) throws -> String {
        for blanks in 0..<64 {
            let text = try w.crypto.encrypt(Array((message + String(repeating: " ", count: blanks)).utf8))
            if text.contains(where: { characters.contains($0) }) { return text }
        }
        throw FixtureError("no ciphertext with any of \(characters)")
    }

    static let messageBytes = Array(message.utf8)

    static let cryptoCases: [HostileCase] = [
        HostileCase("empty encrypt", 400, "-40007") { w in signed(w, encrypt: "") },
        HostileCase("URL-safe base64 alphabet", 400, "-40010") { w in
            let text = try ciphertext(w, containing: "+/")
            return signed(w, encrypt: text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_"))
        },
        HostileCase("base64 without its = padding", 400, "-40010") { w in
            signed(w, encrypt: try ciphertext(w, containing: "=").filter { $0 != "=" })
        },
        HostileCase("base64 with surplus padding", 400, "-40010") { w in
            signed(w, encrypt: try w.crypto.encrypt(messageBytes) + "====")
        },
        HostileCase("pad byte 0", 400, "bad padding byte 0") { w in
            signed(w, encrypt: try w.rawCBC(WeComSimulator.frame(messageBytes, pad: [0])))
        },
        HostileCase("pad byte 33", 400, "bad padding byte 33") { w in
            signed(w, encrypt: try w.rawCBC(WeComSimulator.frame(messageBytes, pad: [UInt8](repeating: 33, count: 33))))
        },
        HostileCase("inconsistent pad bytes", 400, "inconsistent padding bytes") { w in
            signed(w, encrypt: try w.rawCBC(WeComSimulator.frame(messageBytes, pad: [5, 5, 9, 5, 5])))
        },
        HostileCase("plaintext shorter than the 20-byte header", 400, "-40008") { w in
            signed(w, encrypt: Data(try w.crypto.encryptMedia(Array("0123456789".utf8))).base64EncodedString())
        },
        HostileCase("msg_len one past the end", 400, "runs past the end") { w in
            let frame = WeComSimulator.frame(messageBytes, declaredLength: UInt32(messageBytes.count + 1))
            return signed(w, encrypt: Data(try w.crypto.encryptMedia(frame)).base64EncodedString())
        },
        HostileCase("msg_len 0xFFFFFFFF", 400, "runs past the end") { w in
            let frame = WeComSimulator.frame(messageBytes, declaredLength: .max)
            return signed(w, encrypt: Data(try w.crypto.encryptMedia(frame)).base64EncodedString())
        },
        HostileCase("wrong receiveid for a bot that checks it", 403, "-40005") { w in
            let bot = try WeComSimulator(port: w.port, botID: "aibRECV", token: w.token, key: w.key)
            let other = try WeComCrypto(token: w.token, encodingAESKey: w.key, receiveID: "wwOTHER")
            return signed(bot, encrypt: try other.encrypt(messageBytes))
        },
        HostileCase("no receiveid for a bot that checks it", 403, "-40005") { w in
            let bot = try WeComSimulator(port: w.port, botID: "aibRECV", token: w.token, key: w.key)
            return signed(bot, encrypt: try w.crypto.encrypt(messageBytes))
        },
        HostileCase("bit flip in the ciphertext (CBC malleability)", 400, "invalid JSON") { w in
            // Flipping byte 5 of block 0 flips byte 21 of the plaintext: the message's first '"'.
            var bytes = [UInt8](Data(base64Encoded: try w.crypto.encrypt(messageBytes)) ?? Data())
            bytes[5] ^= 0x01
            return signed(w, encrypt: Data(bytes).base64EncodedString())
        },
        HostileCase("verification without echostr", 400, "missing echostr") { w in
            HostileRequest(method: "GET", target: setting("echostr", nil, in: w.signedVerify(echostr: "abc")))
        },
        HostileCase("verification echostr not base64", 400, "-40010") { w in
            HostileRequest(method: "GET", target: w.signedVerify(echostr: "not*base64!"))
        },
        HostileCase("verification echostr of 40 bytes", 400, "-40007") { w in
            HostileRequest(method: "GET", target: w.signedVerify(echostr: Data(repeating: 7, count: 40).base64EncodedString()))
        },
        HostileCase("verification echostr with a bad percent escape", 400, "not valid percent-encoding") { w in
            HostileRequest(method: "GET", target: w.signedVerify(echostr: "abc") + "%g")
        },
    ]
}
