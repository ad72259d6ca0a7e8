import JSONCore

/// WeCom's acknowledgement of a request frame: `{"headers":{"req_id":…},"errcode":0,"errmsg":"ok"}`,
/// no `cmd` (docs/wecom-protocol.md §8.1); the media upload steps carry a `body` too (§8.4).
public struct Ack: Sendable, Equatable, CustomStringConvertible {
    public var reqID: String
    public var errcode: Int
    public var errmsg: String
    public var body: JSONValue?

    public init(reqID: String, errcode: Int = 0, errmsg: String = "ok", body: JSONValue? = nil) {
        self.reqID = reqID
        self.errcode = errcode
        self.errmsg = errmsg
        self.body = body
    }

    public var isSuccess: Bool { errcode == 0 }

    public var description: String { "ack req_id=\(reqID) errcode=\(errcode) errmsg=\(errmsg)" }
}
