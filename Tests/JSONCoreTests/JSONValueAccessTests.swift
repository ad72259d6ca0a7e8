import JSONCore
import Testing

@Suite struct JSONValueAccessTests {
    @Test func eachReadIsNilForAnotherKind() {
        let value: JSONValue = ["s": "x", "n": 3, "f": 1.5, "b": false, "a": [1], "o": [:], "z": nil]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.intValue == 3)
        #expect(value["f"]?.intValue == nil)
        #expect(value["b"]?.boolValue == false)
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue == [:])
        #expect(value["z"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["s"]?.intValue == nil && value["n"]?.stringValue == nil && value["a"]?.objectValue == nil)
        #expect(JSONValue.array([1])["s"] == nil)
        #expect(JSONValue.number(1e300).intValue == nil)
    }
}
