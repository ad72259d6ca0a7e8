import Testing
@testable import WeComCrypto

/// random(16) || msg_len(UInt32 BE) || msg || receiveid.
@Suite struct MessageFrameTests {
    let random = bytes("0123456789abcdef")

    @Test func encodesTheLengthBigEndianInBytes() throws {
        let message = bytes("你好")  // 6 bytes, 2 characters
        let frame = MessageFrame(random: random, message: message, receiveID: bytes("corp"))
        #expect(try frame.encoded() == random + [0, 0, 0, 6] + message + bytes("corp"))
    }

    @Test func largeLengthsUseAllFourBytes() throws {
        let message = [UInt8](repeating: 0x78, count: 0x01_02_03)
        let encoded = try MessageFrame(random: random, message: message, receiveID: []).encoded()
        #expect(Array(encoded[16..<20]) == [0x00, 0x01, 0x02, 0x03])
        #expect(try MessageFrame(decoding: encoded).message == message)
    }

    @Test(arguments: ["", "wwCorp"])
    func decodesWhatItEncodes(receiveID: String) throws {
        let frame = MessageFrame(random: random, message: bytes(#"{"k":"v"}"#), receiveID: bytes(receiveID))
        #expect(try MessageFrame(decoding: frame.encoded()) == frame)
    }

    @Test func aLengthExactlyToTheEndLeavesAnEmptyReceiveID() throws {
        let frame = try MessageFrame(decoding: random + [0, 0, 0, 2] + bytes("ab"))
        #expect(frame.message == bytes("ab"))
        #expect(frame.receiveID.isEmpty)
    }

    @Test func anEmptyMessageIsAllowed() throws {
        let frame = try MessageFrame(decoding: random + [0, 0, 0, 0])
        #expect(frame.message.isEmpty)
    }

    @Test(arguments: [
        ([UInt8](), "plaintext is 0 bytes, shorter than the 20-byte header"),
        ([UInt8](repeating: 0, count: 19), "plaintext is 19 bytes, shorter than the 20-byte header"),
        ([UInt8](repeating: 0, count: 16) + [0, 0, 0, 1], "msg_len 1 runs past the end of a 20-byte plaintext"),
        ([UInt8](repeating: 0, count: 16) + [0x80, 0, 0, 0, 1],
         "msg_len 2147483648 runs past the end of a 21-byte plaintext"),
    ])
    func badFramingIsRejected(plaintext: [UInt8], reason: String) {
        expectCryptoError(.illegalBuffer(reason), code: -40008) { try MessageFrame(decoding: plaintext) }
    }
}
