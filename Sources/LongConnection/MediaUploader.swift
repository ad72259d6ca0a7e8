import JSONCore
import StrictBase64
import WeComCrypto

/// A file uploaded to WeCom for a message by `media_id` (valid for 3 days).
public struct UploadedMedia: Sendable, Equatable {
    public var mediaID: String
    public var type: MediaType
    /// `created_at` of the finish step's ack (unix seconds), when it has one.
    public var createdAt: Int?

    public init(mediaID: String, type: MediaType, createdAt: Int?) {
        self.mediaID = mediaID
        self.type = type
        self.createdAt = createdAt
    }
}

/// Uploads a file in WeCom's three steps (docs/wecom-protocol.md §8.4): `aibot_upload_media_init`
/// with the type, name, size, chunk count and MD5 gives an `upload_id`; the file follows in
/// chunks of at most 512 KB (before base64), one `aibot_upload_media_chunk` each;
/// `aibot_upload_media_finish` gives the `media_id`.
///
/// Chunks are numbered from 0, as WeCom's own SDK numbers them; the documentation's example
/// counts from 1. They go one at a time, each after the previous one's ack.
public struct MediaUploader: Sendable {
    /// The largest chunk before base64.
    public static let chunkBytes = 512 * 1024

    private let sender: any FrameSender
    private let requestIDs: RequestIDGenerator

    public init(sender: any FrameSender, requestIDs: RequestIDGenerator) {
        self.sender = sender
        self.requestIDs = requestIDs
    }

    /// The most bytes WeCom takes for a type: image 10 MB (JPG, PNG), voice 2 MB (AMR), video
    /// 10 MB (MP4), file 20 MB.
    public static func sizeLimit(of type: MediaType) -> Int {
        switch type {
        case .image, .video: return 10 << 20
        case .voice: return 2 << 20
        case .file: return 20 << 20
        }
    }

    /// Uploads `data` as `filename` and returns its `media_id`.
    ///
    /// - Throws: ``MediaUploadError`` (an empty or too large file before anything is sent), or
    ///   the sender's error.
    public func upload(_ data: [UInt8], type: MediaType, filename: String) async throws -> UploadedMedia {
        guard !data.isEmpty else { throw MediaUploadError.empty(type) }
        let limit = Self.sizeLimit(of: type)
        guard data.count <= limit else { throw MediaUploadError.tooLarge(type, bytes: data.count, limit: limit) }
        let chunks = (data.count + Self.chunkBytes - 1) / Self.chunkBytes
        let started = try await step(.uploadMediaInit(reqID: requestIDs.next(.uploadMediaInit), type: type, filename: filename,
                                                      totalSize: data.count, totalChunks: chunks, md5: Digest.md5Hex(data)))
        guard let uploadID = started.body?["upload_id"]?.stringValue, !uploadID.isEmpty else {
            throw MediaUploadError.incompleteAck(.uploadMediaInit, missing: "upload_id")
        }
        for index in 0..<chunks {
            let chunk = Array(data[index * Self.chunkBytes..<min(data.count, (index + 1) * Self.chunkBytes)])
            _ = try await step(.uploadMediaChunk(reqID: requestIDs.next(.uploadMediaChunk), uploadID: uploadID, chunkIndex: index,
                                                 base64Data: Base64.encode(chunk)))
        }
        let finished = try await step(.uploadMediaFinish(reqID: requestIDs.next(.uploadMediaFinish), uploadID: uploadID))
        guard let mediaID = finished.body?["media_id"]?.stringValue, !mediaID.isEmpty else {
            throw MediaUploadError.incompleteAck(.uploadMediaFinish, missing: "media_id")
        }
        let createdAt = finished.body?["created_at"].flatMap { $0.intValue ?? $0.stringValue.flatMap { Int($0) } }
        return UploadedMedia(mediaID: mediaID, type: type, createdAt: createdAt)
    }

    /// Sends one step and returns its ack, or throws its error code.
    private func step(_ frame: Frame) async throws -> Ack {
        let ack = try await sender.send(frame)
        guard ack.isSuccess else { throw MediaUploadError.refused(frame.command, errcode: ack.errcode, errmsg: ack.errmsg) }
        return ack
    }
}
