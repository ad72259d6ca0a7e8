import LongConnection

/// Answer images over the bot's connection: the three-step upload, then the `media_id`.
public struct MediaImageSender: ImageSending {
    private let requestIDs: RequestIDGenerator

    public init(requestIDs: RequestIDGenerator = RequestIDGenerator()) {
        self.requestIDs = requestIDs
    }

    public func upload(_ data: [UInt8], name: String, on session: BotSession) async throws -> String {
        try await MediaUploader(sender: session, requestIDs: requestIDs).upload(data, type: .image, filename: name).mediaID
    }
}
