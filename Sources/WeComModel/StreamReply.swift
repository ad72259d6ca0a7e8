/// The `stream` object of a stream reply (docs/wecom-protocol.md §5.2).
public struct StreamReply: Sendable, Equatable {
    /// Most images one frame may carry.
    public static let maxImages = 10

    /// `stream.id`: ours, echoed back by every refresh.
    public var id: String
    /// `stream.finish`: true ends the stream.
    public var finish: Bool
    /// `stream.content`: the full markdown snapshot so far, not a delta. Encoding truncates it to
    /// `StreamContent.maxBytes` on a scalar boundary, keeping the head.
    public var content: String
    /// `stream.msg_item` images: only sent when `finish` is true, and at most `maxImages`;
    /// encoding drops the others.
    public var images: [ReplyImage]
    /// `stream.feedback.id`: enables `feedback_event`; honoured on the first frame only.
    public var feedbackID: String?

    public init(
        id: String, finish: Bool, content: String, images: [ReplyImage] = [],
        feedbackID: String? = nil
    ) {
        self.id = id
        self.finish = finish
        self.content = content
        self.images = images
        self.feedbackID = feedbackID
    }

    /// The `stream` object as sent, after the rules above.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id),
            "finish": .bool(finish),
            "content": .string(StreamContent.truncated(content)),
        ]
        let sent = finish ? images.prefix(Self.maxImages) : []
        if !sent.isEmpty {
            object["msg_item"] = .array(sent.map(\.jsonValue))
        }
        if let feedbackID {
            object["feedback"] = ["id": .string(feedbackID)]
        }
        return .object(object)
    }
}

extension StreamReply {
    /// Appends exactly `JSONWriter.bytes(jsonValue)` (keys in byte order) without building the
    /// tree first: this is every refresh poll's reply. `ReplyTests` checks the two agree.
    func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"content":"#.utf8)
        JSONWriter.appendString(StreamContent.truncated(content), to: &out)
        if let feedbackID {
            out.append(contentsOf: #","feedback":{"id":"#.utf8)
            JSONWriter.appendString(feedbackID, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: (finish ? #","finish":true,"id":"# : #","finish":false,"id":"#).utf8)
        JSONWriter.appendString(id, to: &out)
        let sent = finish ? images.prefix(Self.maxImages) : []
        if !sent.isEmpty {
            out.append(contentsOf: #","msg_item":"#.utf8)
            JSONWriter.append(.array(sent.map(\.jsonValue)), to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// One image of a final stream frame: JPG or PNG, raw size ≤ 10 MB.
public struct ReplyImage: Sendable, Equatable {
    /// Standard base64 of the raw image bytes.
    public var base64: String
    /// Lowercase hex MD5 of the raw bytes (before base64).
    public var md5: String

    public init(base64: String, md5: String) {
        self.base64 = base64
        self.md5 = md5
    }

    /// `{"msgtype":"image","image":{"base64":…,"md5":…}}`
    var jsonValue: JSONValue {
        ["msgtype": "image", "image": ["base64": .string(base64), "md5": .string(md5)]]
    }
}
