/// What a callback was, for counting: known from the method for a verification, from the
/// decrypted msgtype for a POST (`unknown` when it was refused before it could be read).
public enum CallbackKind: String, Sendable, CaseIterable {
    case verify, message, refresh, event, unknown
}

/// Why a callback was refused, in a small fixed set (the log line has the detail).
public enum RejectionCategory: String, Sendable, CaseIterable {
    /// No `/wecom/callback/<botid>` in the path.
    case route
    /// Neither GET nor POST.
    case method
    /// A body over `WECOM_MAX_BODY_BYTES`.
    case tooLarge = "too_large"
    /// A missing or wrong msg_signature.
    case signature
    /// The ciphertext did not decrypt, or decrypted for another receiver.
    case decrypt
    /// The query, the envelope or the decrypted payload is not what WeCom sends.
    case malformed
    /// No bot with this id has callback credentials.
    case unknownBot = "unknown_bot"
    /// The store could not take the call in time (503: WeCom delivers the callback again).
    case storeUnavailable = "store_unavailable"
    /// A failure on this side (a broken key, a store error, a bug): 500.
    case `internal`
}
