/// The `cmd` of a long-connection frame (docs/wecom-protocol.md §8), kept as its wire name so
/// that a command this version does not know still reads and round-trips.
public struct FrameCommand: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    // Sent by the bot (§8.1, §8.3, §8.4).
    public static let subscribe = FrameCommand(rawValue: "aibot_subscribe")
    public static let ping = FrameCommand(rawValue: "ping")
    public static let respondMessage = FrameCommand(rawValue: "aibot_respond_msg")
    public static let respondWelcome = FrameCommand(rawValue: "aibot_respond_welcome_msg")
    public static let respondUpdate = FrameCommand(rawValue: "aibot_respond_update_msg")
    public static let sendMessage = FrameCommand(rawValue: "aibot_send_msg")
    public static let uploadMediaInit = FrameCommand(rawValue: "aibot_upload_media_init")
    public static let uploadMediaChunk = FrameCommand(rawValue: "aibot_upload_media_chunk")
    public static let uploadMediaFinish = FrameCommand(rawValue: "aibot_upload_media_finish")

    // Pushed by WeCom (§8.2).
    public static let messageCallback = FrameCommand(rawValue: "aibot_msg_callback")
    public static let eventCallback = FrameCommand(rawValue: "aibot_event_callback")
}
