import JSONCore

/// What one WebSocket text message from WeCom holds.
public enum InboundFrame: Sendable, Equatable {
    /// A frame with a `cmd`: a callback pushed by WeCom (or, on the stand-in server, a request).
    case command(Frame)
    /// An acknowledgement of a request, matched to it by `req_id`.
    case ack(Ack)
}

/// Why a message is not a frame. The cases name what is wrong, never the message's text.
public enum FrameDecodeError: Error, Equatable, CustomStringConvertible {
    case notJSON(JSONReadError)
    case notAnObject
    case missingRequestID
    /// Neither a non-empty `cmd` nor an integer `errcode`.
    case neitherCommandNorAck

    public var description: String {
        switch self {
        case let .notJSON(error): return "frame is not JSON (\(error))"
        case .notAnObject: return "frame is not a JSON object"
        case .missingRequestID: return "frame has no headers.req_id string"
        case .neitherCommandNorAck: return "frame has neither a cmd nor an errcode"
        }
    }
}

/// Frames to and from the compact JSON text of a WebSocket message (docs/wecom-protocol.md §8.1).
public enum FrameCodec {
    /// Deep enough for any callback or template card, shallow enough that a hostile frame
    /// cannot exhaust the stack.
    public static let depthLimit = 64

    public static func encode(_ frame: Frame) -> [UInt8] {
        var members: [String: JSONValue] = ["cmd": .string(frame.command.rawValue), "headers": ["req_id": .string(frame.reqID)]]
        if let body = frame.body { members["body"] = body }
        return JSONWriter.bytes(.object(members))
    }

    /// An acknowledgement as WeCom writes it (the stand-in server's answers).
    public static func encode(_ ack: Ack) -> [UInt8] {
        var members: [String: JSONValue] = [
            "headers": ["req_id": .string(ack.reqID)], "errcode": .number(Double(ack.errcode)), "errmsg": .string(ack.errmsg),
        ]
        if let body = ack.body { members["body"] = body }
        return JSONWriter.bytes(.object(members))
    }

    public static func decode(_ bytes: [UInt8]) throws(FrameDecodeError) -> InboundFrame {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes, depthLimit: depthLimit)
        } catch {
            throw .notJSON(error)
        }
        guard case .object = value else { throw .notAnObject }
        guard let reqID = value["headers"]?["req_id"]?.stringValue else { throw .missingRequestID }
        if let command = value["cmd"]?.stringValue, !command.isEmpty {
            return .command(Frame(command: FrameCommand(rawValue: command), reqID: reqID, body: value["body"]))
        }
        guard let errcode = value["errcode"]?.intValue else { throw .neitherCommandNorAck }
        return .ack(Ack(reqID: reqID, errcode: errcode, errmsg: value["errmsg"]?.stringValue ?? "", body: value["body"]))
    }
}
