extension WeComCrypto: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Shows the receiveid only: the token and key never reach logs.
    public var description: String { "WeComCrypto(receiveID: \"\(receiveID)\", token: <redacted>, key: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// Only the receiveid, so `dump` shows nothing secret.
    public var customMirror: Mirror { Mirror(self, children: ["receiveID": receiveID]) }
}
