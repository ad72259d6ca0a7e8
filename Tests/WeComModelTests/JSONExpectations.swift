import Foundation
import Testing
@testable import WeComModel

/// Compares encoded bytes with the documented JSON by parsing both, twice: into `JSONValue`
/// (strict about bool vs number) and with `JSONSerialization` (an independent parser).
func expectJSON(
    _ bytes: [UInt8], equals expected: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let actual = try JSONValue.parse(bytes)
    let wanted = try JSONValue.parse(Array(expected.utf8))
    #expect(actual == wanted, sourceLocation: sourceLocation)

    let actualObject = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSObject
    let wantedObject = try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSObject
    #expect(actualObject != nil && actualObject == wantedObject, sourceLocation: sourceLocation)

    let text = String(decoding: bytes, as: UTF8.self)
    #expect(!text.contains("\n") && !text.contains("\\/"), "not compact: \(text)", sourceLocation: sourceLocation)
}
