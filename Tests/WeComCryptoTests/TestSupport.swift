import Foundation
import Testing
import WeComCrypto

/// UTF-8 bytes of a string.
func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

/// Bytes of a hex string (test input only: crashes on bad hex).
func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
}

/// Lowercase hex of bytes, written independently of the module's own helper.
func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// The crypto of the docs/wecom-protocol.md §10 vectors.
func vectorCrypto(receiveID: String = "") throws -> WeComCrypto {
    try WeComCrypto(token: TestVectors.token, encodingAESKey: TestVectors.encodingAESKey, receiveID: receiveID)
}

/// Expects `body` to throw exactly `expected`, whose `code` must be `code`.
func expectCryptoError<R>(
    _ expected: WeComCryptoError, code: Int32,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> R
) {
    #expect(expected.code == code, sourceLocation: sourceLocation)
    let error = #expect(throws: WeComCryptoError.self, sourceLocation: sourceLocation) { _ = try body() }
    #expect(error == expected, sourceLocation: sourceLocation)
    #expect(error?.code == code, sourceLocation: sourceLocation)
}

/// Bytes of standard base64 (test input only: crashes on bad base64).
func bytesOfBase64(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }
