import Testing
@testable import WeComModel

@Suite struct JSONValueTests {
    @Test(arguments: [
        ("1", "1"), ("-7", "-7"), ("1.0", "1"), ("1.5", "1.5"), ("1700000000", "1700000000"),
        ("true", "true"), ("false", "false"), ("null", "null"), (#""a/b""#, #""a/b""#),
        (#"[1,true,"x",null]"#, #"[1,true,"x",null]"#),
        (#"{"b":2,"a":[0.25]}"#, #"{"a":[0.25],"b":2}"#),
    ])
    func roundTripsCompactly(input: String, output: String) throws {
        let value = try JSONValue.parse(Array(input.utf8))
        #expect(String(decoding: value.jsonBytes(), as: UTF8.self) == output)
    }

    @Test func boolsAndNumbersStayDistinct() throws {
        #expect(try JSONValue.parse(Array("[true,1,0]".utf8)) == [true, 1, 0])
    }

    @Test func nonFiniteNumbersEncodeAsNull() {
        #expect(JSONValue.array([.number(.nan), .number(.infinity)]).jsonBytes() == Array("[null,null]".utf8))
    }

    @Test func unicodeIsWrittenAsUTF8() {
        #expect(JSONValue.string("你好 🙂").jsonBytes() == Array(#""你好 🙂""#.utf8))
    }

    @Test func accessors() {
        let value: JSONValue = ["n": 3, "s": "x", "b": true, "a": [1], "o": [:]]
        #expect(value["n"]?.intValue == 3)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["b"]?.boolValue == true)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue == [:])
        #expect(value["missing"] == nil)
        #expect(JSONValue.number(1.5).intValue == nil)
    }
}

/// Deep nesting is refused before decoding (decoding time grows with the square of the depth).
@Suite struct JSONDepthTests {
    static func nested(_ depth: Int) -> [UInt8] {
        Array((#"{"msgid":"x","msgtype":"text","a":"# + String(repeating: "[", count: depth)
               + String(repeating: "]", count: depth) + "}").utf8)
    }

    @Test func depthUpToTheLimitParses() throws {
        _ = try JSONValue.parse(Self.nested(JSONValue.maxDepth - 1))
    }

    @Test(arguments: [JSONValue.maxDepth, 500, 10_000])
    func deeperIsMalformed(depth: Int) {
        #expect(throws: WeComModelError.malformed("JSON nested deeper than \(JSONValue.maxDepth) levels")) {
            try InboundMessage.decode(Self.nested(depth))
        }
    }

    @Test func bracketsInsideStringsDoNotCount() throws {
        let text = String(repeating: "[{\\\"", count: 200)
        let value = try JSONValue.parse(Array(#"{"s":"\#(text)"}"#.utf8))
        #expect(value["s"]?.stringValue == String(repeating: "[{\"", count: 200))
    }

    @Test func aWrapperMayAllowOneMoreLevel() throws {
        _ = try JSONValue.parse(Self.nested(JSONValue.maxDepth), depthLimit: JSONValue.maxDepth + 1)
    }
}
