import Testing
import WeComCrypto
import WeComWSStandIn
@testable import LongConnection

/// Uploads through a real session to the stand-in, which joins the chunks as WeCom would.
@Suite struct MediaUploaderTests {
    /// `count` bytes that differ from chunk to chunk, so that a misplaced chunk shows.
    static func file(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 19) } }

    static func uploadFrames(_ live: LiveSession) -> [FrameCommand] {
        live.standIn.received.all.map(\.frame.command).filter {
            $0 == .uploadMediaInit || $0 == .uploadMediaChunk || $0 == .uploadMediaFinish
        }
    }

    @Test func aFileOfThreeChunksArrivesWhole() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            let data = Self.file(2 * MediaUploader.chunkBytes + 1000)
            let uploader = MediaUploader(sender: live.session, requestIDs: RequestIDGenerator())
            let media = try await uploader.upload(data, type: .file, filename: "report.pdf")

            let upload = try #require(live.standIn.uploads.all.first)
            #expect(media == UploadedMedia(mediaID: upload.mediaID, type: .file, createdAt: 1_700_000_000))
            #expect(upload.bytes == data)
            #expect(upload.chunkIndices == [0, 1, 2], "numbered from 0, as WeCom's SDK does")
            #expect(upload.chunkSizes == [MediaUploader.chunkBytes, MediaUploader.chunkBytes, 1000])
            #expect(upload.md5 == Digest.md5Hex(data))
            #expect(upload.type == "file" && upload.filename == "report.pdf")
            let initFrame = try #require(live.received(.uploadMediaInit).first?.frame)
            #expect(initFrame.body?["total_size"]?.intValue == data.count)
            #expect(initFrame.body?["total_chunks"]?.intValue == 3)
            #expect(Self.uploadFrames(live) == [.uploadMediaInit, .uploadMediaChunk, .uploadMediaChunk, .uploadMediaChunk,
                                                .uploadMediaFinish])
            let reqIDs = live.standIn.received.all.map(\.frame.reqID)
            #expect(Set(reqIDs).count == reqIDs.count, "every step has a req_id of its own")
            #expect(try await live.stop() == .stopped)
        }
    }

    @Test func aSmallImageIsOneChunk() async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Self.file(300)
            let media = try await MediaUploader(sender: live.session, requestIDs: RequestIDGenerator())
                .upload(png, type: .image, filename: "answer.png")
            #expect(media.type == .image && !media.mediaID.isEmpty)
            #expect(live.standIn.uploads.all.map(\.bytes) == [png])
            #expect(live.standIn.uploads.all.first?.chunkIndices == [0])
            #expect(try await live.stop() == .stopped)
        }
    }

    /// Too large for its type: refused before anything is sent.
    @Test(arguments: [(MediaType.image, 10 << 20), (.voice, 2 << 20), (.video, 10 << 20), (.file, 20 << 20)])
    func aFileOverItsTypesLimitIsRefusedBeforeSending(type: MediaType, limit: Int) async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            let uploader = MediaUploader(sender: live.session, requestIDs: RequestIDGenerator())
            #expect(MediaUploader.sizeLimit(of: type) == limit)
            await #expect(throws: MediaUploadError.tooLarge(type, bytes: limit + 1, limit: limit)) {
                try await uploader.upload([UInt8](repeating: 7, count: limit + 1), type: type, filename: "big")
            }
            await #expect(throws: MediaUploadError.empty(type)) {
                try await uploader.upload([], type: type, filename: "empty")
            }
            #expect(Self.uploadFrames(live).isEmpty)
            #expect(try await live.stop() == .stopped)
        }
    }

    /// An error code from any step ends the upload with that code; no later step is sent.
    @Test(arguments: [FrameCommand.uploadMediaInit, .uploadMediaChunk, .uploadMediaFinish])
    func anErrorCodeFromAStepEndsTheUpload(step: FrameCommand) async throws {
        try await onTestThreads {
            let live = try LiveSession(WeComWSStandIn())
            #expect(await live.waitForSubscriptions(1))
            live.standIn.answer(step, errcode: 846607, errmsg: "rate limited")
            let uploader = MediaUploader(sender: live.session, requestIDs: RequestIDGenerator())
            await #expect(throws: MediaUploadError.refused(step, errcode: 846607, errmsg: "rate limited")) {
                try await uploader.upload(Self.file(MediaUploader.chunkBytes + 1), type: .file, filename: "a.txt")
            }
            let sent = Self.uploadFrames(live)
            #expect(sent.last == step)
            #expect(sent.filter { $0 == step }.count == 1)
            #expect(live.standIn.uploads.all.isEmpty)
            #expect(try await live.stop() == .stopped)
        }
    }

    /// Without a connection the sender's own error comes through.
    @Test func withoutAConnectionTheSessionsErrorComesThrough() async throws {
        try await onTestThreads {
            let standIn = try WeComWSStandIn()
            let live = try LiveSession(standIn, secret: "wrong")
            let uploader = MediaUploader(sender: live.session, requestIDs: RequestIDGenerator())
            await #expect(throws: LongConnectionError.notConnected) {
                try await uploader.upload([1, 2, 3], type: .file, filename: "a.txt")
            }
            #expect(try await live.stop() == .stopped)
        }
    }
}
