/// `from`: who sent the message.
public struct Sender: Sendable, Equatable, Hashable {
    /// `from.userid`; `""` when absent.
    public var userID: String
    /// `from.corpid`: only for bots outside the sender's corporation (sent on events).
    public var corpID: String?

    public init(userID: String, corpID: String? = nil) {
        self.userID = userID
        self.corpID = corpID
    }

    init(fields: FieldReader) throws {
        userID = try fields.string("userid") ?? ""
        corpID = try fields.string("corpid")
    }
}
