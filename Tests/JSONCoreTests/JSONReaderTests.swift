import Foundation
import JSONCore
import Testing

/// The reader accepts exactly RFC 8259 JSON. Foundation's JSONSerialization is the second,
/// independent implementation the results are checked against.
@Suite struct JSONReaderTests {
    private func parse(_ text: String, depthLimit: Int = 64) throws(JSONReadError) -> JSONValue {
        try JSONReader.parse(Array(text.utf8), depthLimit: depthLimit)
    }

    @Test(arguments: [
        ("0", 0), ("-0", 0), ("7", 7), ("-12", -12), ("1.5", 1.5), ("1e3", 1000), ("123456789012345678", 1.2345678901234568e17), ("1E-2", 0.01), ("2.5e+1", 25),
        ("0.1", 0.1), ("1.7976931348623157e308", 1.7976931348623157e308),
    ] as [(String, Double)])
    func numbers(text: String, expected: Double) throws {
        #expect(try parse(text) == .number(expected))
    }

    @Test(arguments: ["01", "+1", ".5", "1.", "1e", "1e+", "-", "--1", "0x10", "1e400", "-1e400", "NaN", "Infinity", "1_0"])
    func badNumbersAreRefused(text: String) {
        #expect(throws: JSONReadError.self) { try parse(text) }
    }

    @Test(arguments: [
        (#""plain""#, "plain"), (#""a\"b\\c\/d""#, "a\"b\\c/d"), (#""\b\f\n\r\t""#, "\u{8}\u{C}\n\r\t"),
        (#""\u00e9\u4f60""#, "é你"), (#""\ud83d\ude42""#, "🙂"), (#""你好 🙂""#, "你好 🙂"), (#""""#, ""),
        (#""mixed \n 你 \u0041""#, "mixed \n 你 A"),
    ])
    func strings(text: String, expected: String) throws {
        #expect(try parse(text) == .string(expected))
    }

    @Test(arguments: [
        #""unterminated"#, #""bad \x escape""#, #""\u12""#, #""\uZZZZ""#, #""\ud800""#, #""\udc00""#,
        #""\ud800\u0041""#, "\"tab\there\"", "\"nl\nhere\"", #""\"#,
    ])
    func badStringsAreRefused(text: String) {
        #expect(throws: JSONReadError.self) { try parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONReadError.self) { try JSONReader.parse(bytes, depthLimit: 4) }
        }
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "[1 2]", "tru", "nul", "truex",
        "[1]x", "{} {}", "'a'", "[\u{0B}1]", "\u{FEFF}1",
    ])
    func badStructureIsRefused(text: String) {
        #expect(throws: JSONReadError.self) { try parse(text) }
    }

    @Test func whitespaceAndStructure() throws {
        let value = try parse(" \t\r\n{ \"a\" : [ 1 , true , false , null , { } , [ ] ] , \"b\" : \"c\" } \n")
        #expect(value == ["a": [1, true, false, nil, [:], []], "b": "c"])
    }

    @Test func borrowedBytesReadAsTheArrayDoes() throws {
        var text: Substring = #"  {"a":[1,"é",null]}  tail"#.dropLast(4)
        let borrowed = try text.withUTF8 { (buffer) throws(JSONReadError) in try JSONReader.parse(buffer, depthLimit: 8) }
        #expect(borrowed == (try parse(String(text))))
        #expect(throws: JSONReadError.self) {
            var tail: Substring = #"{"a":1} tail"#.dropFirst(0)
            _ = try tail.withUTF8 { (buffer) throws(JSONReadError) in try JSONReader.parse(buffer, depthLimit: 8) }
        }
    }

    @Test func aLaterDuplicateKeyWins() throws {
        #expect(try parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test func depthIsLimitedWhileReading() throws {
        let ok = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        #expect(try parse(ok, depthLimit: 8) != .null)
        #expect(throws: JSONReadError.tooDeep(limit: 7)) { try parse(ok, depthLimit: 7) }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONReadError.tooDeep(limit: 64)) { try parse(hostile) }
    }

    @Test func errorsSayWhere() {
        #expect(throws: JSONReadError.invalid(offset: 3, reason: "expected ',' or ']'")) { try parse("[1 2]") }
    }

    /// A realistic callback payload read by both implementations gives the same tree.
    @Test func agreesWithFoundation() throws {
        let text = #"""
        {"msgid":"CAIQ16HMjQYY\/NGagIOAgAMgq4KM0AI=","aibotid":"AIBOTID","chatid":"CHATID","chattype":"group",
         "from":{"userid":"USERID"},"response_url":"https://qyapi.weixin.qq.com/x?a=1&b=2","msgtype":"mixed",
         "mixed":{"msg_item":[{"msgtype":"text","text":{"content":"@机器人 看图\n\"引号\" \u4f60"}},
         {"msgtype":"image","image":{"url":"URL"}}]},"quote":{"msgtype":"text","text":{"content":"🙂"}},
         "n":[0,-1,2.5,1e-7,12345678901234567890],"t":true,"f":false,"z":null}
        """#
        let ours = try parse(text)
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(ours == Self.value(theirs))
        let rewritten = try JSONSerialization.jsonObject(with: Data(JSONWriter.bytes(ours)), options: [.fragmentsAllowed])
        #expect(Self.value(rewritten) == ours)
    }

    /// Foundation's tree as a `JSONValue` (NSNumber booleans told apart by their type).
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case let text as String: return .string(text)
        case let array as [Any]: return .array(array.map(value))
        case let object as [String: Any]: return .object(object.mapValues(value))
        default: return .string("unexpected \(type(of: any))")
        }
    }
}
