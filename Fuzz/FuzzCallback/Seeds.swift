import Foundation
import WeComCrypto

/// The seed corpus: the protocol's test vectors V1–V5 (docs/wecom-protocol.md §10.2, same
/// token and key as the harness) and the other callback shapes of §4, in every harness mode.
enum Seeds {
    static let path = "/wecom/callback/aibTESTBOTID"
    static let v1Echostr = "eKM+xtlfPlz9GpwG4zECew9S2p5DGP5RNbHZhCSLKbr+ilkYRRVtLEHCpEzc0cRxskmxuJTGtKzWikiG5bX93A=="
    static let v2Encrypt = "4j/AuRx71kQlxVlzbpsMWP7ajIOt4ItxBZ9AHJWxPyW0JQKB2turn9r2WWh/+YQ/uMTCBAy7nvvdM/KipRSkrdvYHEY08ikVpPd8i6fczEOLcltDUeUBBObyn6cwRhjC2gkB9DBa2xQ6p0XQL+BK4Vj8drmacJb2VAAWI5UaqmHEODU7FvK/qckJVEf51CEMCQ4AGycvOWx4q1LatqPOXx1Exflvz9AhWUuKQFZ6Yk31rcjAr9T9X1NWu3Nvdr6jWIZz6vDqVVOyaMpLJAIDVTAUVbaN4rhZni0XQZCmoKOXGOpsJWvHxRLaqOGRcvw/olo6JM3jzenv3ZOatx+TB+XCqh1YVF5rjx35pCBPb7yoSlO6sXnvWBVMg32Mf31/2lRvot1oKOKgMtRYvxnwKIrSl98NEyH9oo5nt/rEKRg="
    static let v5Encrypt = "z8bbE36RpJtRsxvOGnsPD6kfEPehD41ujUPt4MdcDTZgaublwh7DdWPvKQWjnh76WVG6VEkQDyxbeNi0ImkGWcKCQSr7fzs+RXVHZl80i6xn5NSZWeq2RAO/PtVjnZOF"
    static let v2Plain = #"{"msgid":"CAIQ16HMjQYYtestmsgid0001","aibotid":"aibTESTBOTID","chatid":"wrTESTCHATID","chattype":"group","from":{"userid":"zhangsan"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=TESTCODE","msgtype":"text","text":{"content":"@RobotA 你好，帮我总结一下"}}"#

    /// Message and event shapes of docs/wecom-protocol.md §4.3–§4.5.
    static let plaintexts: [(String, String)] = [
        ("v2-group-text", v2Plain),
        ("v5-not-json", String(repeating: "x", count: 44)),
        ("stream-refresh", #"{"msgid":"r1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"zhangsan"},"msgtype":"stream","stream":{"id":"stream-0001"}}"#),
        ("image", #"{"msgid":"i1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"zhangsan"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C","msgtype":"image","image":{"url":"https://example.com/cos/x"}}"#),
        ("mixed", #"{"msgid":"m1","aibotid":"aibTESTBOTID","chatid":"wrC","chattype":"group","from":{"userid":"u"},"msgtype":"mixed","mixed":{"msg_item":[{"msgtype":"text","text":{"content":"@RobotA 看"}},{"msgtype":"image","image":{"url":"https://example.com/i"}}]}}"#),
        ("voice", #"{"msgid":"v1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"u"},"msgtype":"voice","voice":{"content":"语音转写"}}"#),
        ("file", #"{"msgid":"f1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"u"},"msgtype":"file","file":{"url":"https://example.com/f"}}"#),
        ("video", #"{"msgid":"vd1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"u"},"msgtype":"video","video":{"url":"https://example.com/v"}}"#),
        ("quote", #"{"msgid":"q1","aibotid":"aibTESTBOTID","chattype":"single","from":{"userid":"u"},"msgtype":"text","text":{"content":"这是什么"},"quote":{"msgtype":"image","image":{"url":"https://example.com/q"}}}"#),
        ("enter-chat", #"{"msgid":"e1","create_time":1700000000,"aibotid":"aibTESTBOTID","from":{"userid":"u"},"msgtype":"event","event":{"eventtype":"enter_chat"}}"#),
        ("feedback", #"{"msgid":"fb1","create_time":1700000000,"aibotid":"aibTESTBOTID","from":{"userid":"u"},"msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"FB","type":2,"content":"不准","inaccurate_reason_list":[1,3]}}}"#),
        ("template-card", #"{"msgid":"tc1","create_time":1700000000,"aibotid":"aibTESTBOTID","from":{"userid":"u"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=C","msgtype":"event","event":{"eventtype":"template_card_event","template_card_event":{"card_type":"vote_interaction","event_key":"k","task_id":"t1","selected_items":{"selected_item":[{"question_key":"q","option_ids":{"option_id":["a","b"]}}]}}}}"#),
    ]

    static func write(to directory: String) throws -> Int {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let crypto = try WeComCrypto(token: Harness.token, encodingAESKey: Harness.key)
        let prefix = Array("0123456789abcdef".utf8)
        var seeds: [(String, [UInt8])] = [
            ("raw-v1-verify", seed(0, "GET \(path)?msg_signature=aef1e23ed27b3270a3ed434a54d7ad1ec11c8901&timestamp=1700000000&nonce=1234567890&echostr="
                + v1Echostr.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "=", with: "%3D"))),
            ("raw-v2-text", seed(0, "POST \(path)?msg_signature=3a70a991239d2cf0f89fcb05991ff54ed362c18e&timestamp=1700000100&nonce=987654321",
                                 Array(#"{"encrypt":"\#(v2Encrypt)"}"#.utf8))),
            ("enc-v1-echostr", seed(1, "POST \(path)", Array(v1Echostr.utf8))),
            ("enc-v2-text", seed(1, "POST \(path)", Array(v2Encrypt.utf8))),
            ("enc-v5-full-pad-block", seed(1, "POST \(path)", Array(v5Encrypt.utf8))),
            ("dec-v5-full-pad-block", seed(3, "POST \(path)", frame(Array("AAAAAAAAAAAAAAAA".utf8), Array(String(repeating: "x", count: 44).utf8)))),
            ("dec-v2-text", seed(3, "POST \(path)", frame(prefix, Array(v2Plain.utf8)))),
            ("dec-receiveid", seed(3, "POST /wecom/callback/aibRECV", frame(prefix, Array(v2Plain.utf8), receiveID: "wwCORP"))),
        ]
        for (name, json) in plaintexts {
            seeds.append(("plain-" + name, seed(2, "POST \(path)", Array(json.utf8))))
            let signed = Harness.signedPost(path: path, encrypt: try crypto.encrypt(Array(json.utf8), random: prefix))
            seeds.append(("raw-" + name, seed(0, "POST \(signed.path)?\(signed.query)", signed.body)))
        }
        for (name, bytes) in seeds {
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        return seeds.count
    }

    static func seed(_ mode: UInt8, _ head: String, _ body: [UInt8] = []) -> [UInt8] {
        [mode] + Array(head.utf8) + [0x0A] + body
    }

    /// random ‖ msg_len ‖ message ‖ receiveid ‖ PKCS#7/32 padding: the AES plaintext.
    static func frame(_ random: [UInt8], _ message: [UInt8], receiveID: String = "") -> [UInt8] {
        let length = UInt32(message.count)
        var plain = random + (0..<4).map { UInt8(truncatingIfNeeded: length >> (24 - 8 * $0)) } + message + Array(receiveID.utf8)
        let pad = 32 - plain.count % 32
        plain += [UInt8](repeating: UInt8(pad), count: pad)
        return plain
    }
}
