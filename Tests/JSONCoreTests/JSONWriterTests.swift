import JSONCore
import Testing

/// JSON string literals (the reply envelope and every reply) and compact values.
@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("987654321", #""987654321""#),
        ("a/b+c=", #""a/b+c=""#),
        (#"say "hi" \ bye"#, #""say \"hi\" \\ bye""#),
        ("l1\nl2\r\t\u{8}\u{C}", #""l1\nl2\r\t\b\f""#),
        ("\u{0}\u{1F}\u{7F}", #""\u0000\u001f"# + "\u{7F}\""),
        ("你好 ✓", "\"你好 ✓\""),
        ("", #""""#),
    ])
    func quotesAndEscapes(input: String, expected: String) {
        #expect(JSONWriter.bytes(.string(input)) == Array(expected.utf8))
    }

    @Test func keysAreSortedByTheirUTF8Bytes() {
        let value: JSONValue = ["msgtype": 1, "msg_item": 2, "B": 3, "a10": 4, "a9": 5, "é": 6, "z": 7]
        #expect(String(decoding: JSONWriter.bytes(value), as: UTF8.self)
                == #"{"B":3,"a10":4,"a9":5,"msg_item":2,"msgtype":1,"z":7,"é":6}"#)
    }

    @Test(arguments: [
        (1.0, "1"), (-7, "-7"), (1.5, "1.5"), (0.1, "0.1"), (1e30, "1e+30"), (-0.0, "0"),
        (9_007_199_254_740_991, "9007199254740991"), (.nan, "null"), (-.infinity, "null"),
    ] as [(Double, String)])
    func numbers(value: Double, expected: String) {
        #expect(JSONWriter.bytes(.number(value)) == Array(expected.utf8))
    }

    @Test func nestedValuesAreCompact() {
        let value: JSONValue = ["a": [1, true, nil, ["b": "c"]], "d": [:], "e": []]
        #expect(String(decoding: JSONWriter.bytes(value), as: UTF8.self) == #"{"a":[1,true,null,{"b":"c"}],"d":{},"e":[]}"#)
    }

    /// Every escapable byte at every position of longer strings (the eight-byte fast path and
    /// the byte loop), checked against an escape written out by hand.
    @Test func escapesAtEveryPositionOfLongStrings() {
        let specials: [(UInt8, String)] = [(0x22, #"\""#), (0x5C, #"\\"#), (0x0A, #"\n"#), (0x01, #"\u0001"#), (0x1F, #"\u001f"#)]
        for length in [7, 8, 9, 16, 17, 40] {
            for position in 0..<length {
                for (byte, escaped) in specials {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = byte
                    let expected = "\"" + String(repeating: "a", count: position) + escaped
                        + String(repeating: "a", count: length - position - 1) + "\""
                    #expect(JSONWriter.bytes(.string(String(decoding: bytes, as: UTF8.self))) == Array(expected.utf8))
                }
            }
        }
        let clean = String(repeating: "长文本 with ASCII ~ 0x7F\u{7F} ", count: 20)
        #expect(JSONWriter.bytes(.string(clean)) == Array(("\"" + clean + "\"").utf8))
    }
}
