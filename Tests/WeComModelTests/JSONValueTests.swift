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
