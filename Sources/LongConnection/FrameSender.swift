/// What sends a request frame and returns its ack: a ``BotSession`` (frames of one `req_id` in
/// order, each after the previous one's ack).
public protocol FrameSender: Sendable {
    func send(_ frame: Frame) async throws -> Ack
}

extension BotSession: FrameSender {}
