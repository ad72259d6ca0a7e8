/// Errors of the WeCom callback crypto, one case per error code of the official samples
/// (`ierror.py`, `wxbizjsonmsgcrypt.go`; see docs/wecom-protocol.md §3.6).
///
/// Reasons and descriptions never contain the token, the EncodingAESKey, the AES key or any
/// plaintext: they are safe to log.
public enum WeComCryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// -40001: the computed signature differs from `msg_signature`.
    case validateSignature
    /// -40002: the body is not JSON, not an object, or has no string `encrypt` field.
    case parseJSON(String)
    /// -40002 as well: the body is XML, i.e. the bot was created in the legacy XML callback mode.
    case xmlEnvelope
    /// -40003: SHA1 could not be computed.
    case computeSignature
    /// -40004: the EncodingAESKey is not 43 characters or does not decode to 32 bytes.
    case illegalAESKey(String)
    /// -40005: the trailing receiveid differs from the configured, non-empty receiveid.
    case validateReceiveID
    /// -40006: AES encryption or framing of the outgoing message failed.
    case encryptAES(String)
    /// -40007: bad ciphertext length, bad PKCS#7/32 padding, or an OpenSSL failure.
    case decryptAES(String)
    /// -40008: the decrypted plaintext is not a valid frame (too short, `msg_len` past the end).
    case illegalBuffer(String)
    /// -40009: base64 encoding failed.
    case encodeBase64
    /// -40010: the ciphertext is not valid standard base64.
    case decodeBase64
    /// -40011: the reply JSON could not be built.
    case genReturnJSON
    /// -40012: unsupported protocol type (Go JSON sample only).
    case illegalProtocolType

    /// The numeric code of the official samples.
    public var code: Int32 {
        switch self {
        case .validateSignature: -40001
        case .parseJSON, .xmlEnvelope: -40002
        case .computeSignature: -40003
        case .illegalAESKey: -40004
        case .validateReceiveID: -40005
        case .encryptAES: -40006
        case .decryptAES: -40007
        case .illegalBuffer: -40008
        case .encodeBase64: -40009
        case .decodeBase64: -40010
        case .genReturnJSON: -40011
        case .illegalProtocolType: -40012
        }
    }

    /// The constant's name in the official samples, e.g. `DecryptAES_Error`.
    public var constantName: String {
        switch self {
        case .validateSignature: "ValidateSignature_Error"
        case .parseJSON, .xmlEnvelope: "ParseJson_Error"
        case .computeSignature: "ComputeSignature_Error"
        case .illegalAESKey: "IllegalAesKey"
        case .validateReceiveID: "ValidateCorpid_Error"
        case .encryptAES: "EncryptAES_Error"
        case .decryptAES: "DecryptAES_Error"
        case .illegalBuffer: "IllegalBuffer"
        case .encodeBase64: "EncodeBase64_Error"
        case .decodeBase64: "DecodeBase64_Error"
        case .genReturnJSON: "GenReturnJson_Error"
        case .illegalProtocolType: "IllegalProtocolType"
        }
    }

    /// Why it failed, in words; never secret material.
    public var reason: String {
        switch self {
        case .validateSignature: "msg_signature does not match the computed signature"
        case .parseJSON(let reason): reason
        case .xmlEnvelope:
            "body is XML, not JSON: the bot was created in the legacy XML callback mode; "
                + "create it as an AI bot (智能机器人) with JSON API-mode callbacks"
        case .computeSignature: "SHA1 computation failed"
        case .illegalAESKey(let reason): reason
        case .validateReceiveID: "trailing receiveid does not match the configured receiveid"
        case .encryptAES(let reason): reason
        case .decryptAES(let reason): reason
        case .illegalBuffer(let reason): reason
        case .encodeBase64: "base64 encoding failed"
        case .decodeBase64: "ciphertext is not valid standard base64"
        case .genReturnJSON: "building the reply JSON failed"
        case .illegalProtocolType: "unsupported protocol type"
        }
    }

    /// `"-40007 DecryptAES_Error: bad padding byte 33"`: code, sample constant, reason.
    public var description: String { "\(code) \(constantName): \(reason)" }
}
