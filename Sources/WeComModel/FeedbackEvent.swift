/// `event.feedback_event` (docs/wecom-protocol.md §4.5): the user rated a reply that carried `feedback.id`.
public struct FeedbackEvent: Sendable, Equatable {
    /// `id`: the feedback id we sent with the reply.
    public var id: String
    /// `type`: 1 accurate, 2 inaccurate, 3 rating withdrawn.
    public var type: Int
    /// `content`: the user's comment (type 2 only).
    public var content: String?
    /// `inaccurate_reason_list` (type 2 only): 1 irrelevant, 2 incomplete, 3 wrong,
    /// 4 data-analysis error.
    public var inaccurateReasons: [Int]
    /// The whole payload object as sent.
    public var raw: JSONValue

    public init(
        id: String, type: Int, content: String? = nil, inaccurateReasons: [Int] = [],
        raw: JSONValue = .object([:])
    ) {
        self.id = id
        self.type = type
        self.content = content
        self.inaccurateReasons = inaccurateReasons
        self.raw = raw
    }

    init(fields: FieldReader) throws {
        id = try fields.requiredString("id")
        type = try fields.requiredInt("type")
        content = try fields.string("content")
        raw = fields.raw
        if let (path, elements) = fields.list("inaccurate_reason_list") {
            inaccurateReasons = try elements.enumerated().map { index, element in
                try FieldReader.integer(element, path: "\(path)[\(index)]")
            }
        } else {
            inaccurateReasons = []
        }
    }
}
