import WeComCrypto

/// Maps a crypto failure to its HTTP status: authentication failures are 403, malformed
/// input is 400, a broken local key is 500. The reason keeps the sample's error code.
enum CryptoRejection {
    static func map(_ error: WeComCryptoError) -> Rejection {
        switch error {
        case .validateSignature:
            return .forbidden("\(error)", .signature)
        case .validateReceiveID:
            return .forbidden("\(error)", .decrypt)
        case .illegalAESKey, .computeSignature, .encryptAES, .encodeBase64, .genReturnJSON:
            return .internalError("\(error)")
        case .parseJSON, .xmlEnvelope, .illegalProtocolType:
            return .badRequest("\(error)", .malformed)
        default:
            return .badRequest("\(error)", .decrypt)
        }
    }
}
