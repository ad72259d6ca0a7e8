import Testing
@testable import WeComCrypto

/// PKCS#7 with a 32-byte block, by hand.
@Suite struct PKCS7Tests {
    @Test(arguments: 0...64)
    func padAddsOneToThirtyTwoBytesOfThePadLength(length: Int) throws {
        let data = [UInt8](repeating: 0xAB, count: length)
        let padded = PKCS7.pad(data)
        let pad = 32 - length % 32
        #expect(padded.count == length + pad)
        #expect(padded.count % 32 == 0)
        #expect(padded.suffix(pad) == ArraySlice(repeating: UInt8(pad), count: pad))
        #expect(try PKCS7.unpad(padded) == data)
    }

    @Test(arguments: [
        ([UInt8](), "no data to unpad"),
        ([1, 2, 0], "bad padding byte 0"),
        ([UInt8](repeating: 33, count: 64), "bad padding byte 33"),
        ([3, 3], "padding length 3 exceeds the 2-byte plaintext"),
        ([7, 2, 3, 3], "inconsistent padding bytes for pad length 3"),
        ([UInt8](repeating: 32, count: 31) + [31, 32], "inconsistent padding bytes for pad length 32"),
    ])
    func badPaddingIsRejected(data: [UInt8], reason: String) {
        expectCryptoError(.decryptAES(reason), code: -40007) { try PKCS7.unpad(data) }
    }

    @Test func aSixteenByteBlockPadAboveSixteenIsAccepted() throws {
        // What a 16-byte-block unpadder would reject: pad 25, as in V4.
        let data = [UInt8](repeating: 1, count: 39)
        #expect(try PKCS7.unpad(data + [UInt8](repeating: 25, count: 25)) == data)
    }
}
