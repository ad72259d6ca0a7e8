import BotStore
import DifyStandIn
import Foundation
import Testing
import WeComCrypto
import WeComModel
@testable import WorkerCore

/// Long-connection media: every URL comes with its own `aeskey`, and the runner decrypts each
/// download with it. The fixture configures no bot key at all, so only the URL's key can work.
@Suite(.timeLimit(.minutes(1))) struct JobRunnerMediaKeyTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<2000).map { UInt8($0 % 251) }
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + (0..<700).map { UInt8($0 % 199) }

    /// A fresh key as WeCom sends it: base64 of 32 random bytes without the `=`.
    static func newKey() -> String {
        String(Data(SecureRandom.bytes(32)).base64EncodedString().dropLast())
    }

    /// Serves `plain` encrypted under `key` at `path` of the stand-in; returns its URL.
    static func serve(_ plain: [UInt8], key: String, at path: String, on dify: DifyStandIn) throws -> String {
        let encrypted = try AESKey(mediaAESKey: key).encryptMedia(plain)
        return dify.serve(path: path, bytes: Data(encrypted), contentType: "application/octet-stream")
    }

    @Test func anImageWithItsOwnKeyReachesDifyDecrypted() throws {
        let f = try RunnerFixture()
        #expect(f.configuration.encodingAESKey == nil)
        f.dify.defaultScript = .answer(text: "看到了")
        let key = Self.newKey()
        let url = try Self.serve(Self.png, key: key, at: "/cos/ws-image-1", on: f.dify)
        let job = try f.claimNewJob(body: ["msgtype": "image", "image": ["url": url, "aeskey": key]], text: nil)
        #expect(f.start(job).wait())

        let upload = try #require(f.dify.uploads.first)
        #expect(f.dify.uploads.count == 1)
        #expect([UInt8](upload.bytes) == Self.png)
        let chat = try #require(f.dify.chatRequests.first)
        #expect(chat.files.first?["upload_file_id"]?.stringValue == upload.id)
        let detail = try f.detail(job)
        #expect(detail.job?.state == .done)
        #expect(detail.content == "看到了")
    }

    /// The images of a mixed message, each under a key of its own.
    @Test func eachImageOfAMixedMessageUsesItsOwnKey() throws {
        let f = try RunnerFixture()
        f.dify.defaultScript = .answer(text: "两张图")
        let (first, second) = (Self.newKey(), Self.newKey())
        let items: [[String: Any]] = [
            ["msgtype": "text", "text": ["content": "比较一下"]],
            ["msgtype": "image", "image": ["url": try Self.serve(Self.png, key: first, at: "/cos/ws-a", on: f.dify), "aeskey": first]],
            ["msgtype": "image", "image": ["url": try Self.serve(Self.jpeg, key: second, at: "/cos/ws-b", on: f.dify), "aeskey": second]],
        ]
        let job = try f.claimNewJob(body: ["msgtype": "mixed", "mixed": ["msg_item": items]], text: "比较一下")
        #expect(f.start(job).wait())

        #expect(f.dify.uploads.map { [UInt8]($0.bytes) } == [Self.png, Self.jpeg])
        #expect(f.dify.chatRequests.first?.query == "比较一下")
        #expect(try f.detail(job).content == "两张图")
    }

    /// A key that does not fit the file: the user reads the notice callback media give when they
    /// cannot be decrypted, and Dify is never asked.
    @Test func aWrongKeyGivesTheUsualNotice() throws {
        let f = try RunnerFixture()
        let url = try Self.serve(Self.png, key: Self.newKey(), at: "/cos/ws-image-2", on: f.dify)
        let wrong = String(repeating: "A", count: 43)
        let job = try f.claimNewJob(body: ["msgtype": "image", "image": ["url": url, "aeskey": wrong]], text: nil)
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.content == UserNotice.mediaFailed)
        #expect(detail.finished)
        #expect(detail.job?.state == .dead)
        #expect(detail.job?.lastError?.hasPrefix("media: decrypt: ") == true)
        #expect(f.dify.uploads.isEmpty && f.dify.chatRequests.isEmpty)
    }

    /// A key that is not a key at all ends the same way, before anything is downloaded.
    @Test func anIllegalKeyGivesTheUsualNotice() throws {
        let f = try RunnerFixture()
        let url = try Self.serve(Self.png, key: Self.newKey(), at: "/cos/ws-image-3", on: f.dify)
        let job = try f.claimNewJob(body: ["msgtype": "file", "file": ["url": url, "aeskey": "not a key"]], text: nil)
        #expect(f.start(job).wait())

        let detail = try f.detail(job)
        #expect(detail.content == UserNotice.mediaFailed)
        #expect(detail.job?.lastError == "media: decrypt: -40004 IllegalAesKey: media aeskey is not valid base64")
        #expect(!f.dify.requests.contains { $0.path == "/cos/ws-image-3" })
        #expect(f.dify.uploads.isEmpty)
    }
}
