import DifyStandIn
import Foundation
import StoreTestSupport
import Testing
import WeComCrypto
import WeComModel

/// Issue 4: the worker answers through the stand-in Dify while WeCom polls.
@Suite(.serialized) struct WorkerAnswerTests {
    @Test(arguments: Backend.allCases) func refreshPollsShowGrowingContentThenTheFullAnswer(_ backend: Backend) throws {
        let s = try AnswerStack(backend: backend)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["春眠不觉晓，", "处处闻啼鸟。", "夜来风雨声，花落知多少。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "w-grow", content: "背一首诗"))
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(1)
        let first = try s.wecom.poll(streamID: streamID) { $0.stream["content"] as? String == chunks[0] }
        #expect(first.stream["finish"] as? Bool == false)
        gate.open(1)
        _ = try s.wecom.poll(streamID: streamID) { $0.stream["content"] as? String == chunks[0] + chunks[1] }
        gate.openAll()
        let final = try s.wecom.final(streamID: streamID)
        #expect(final["content"] as? String == chunks.joined())
        #expect(try s.job(stream: streamID) == "done|1|")
        let request = try #require(s.dify.chatRequests.first)
        #expect(request.query == "背一首诗")
        #expect(request.user == "wecom:zhangsan")
        #expect(request.responseMode == "streaming")
    }

    @Test(arguments: Backend.allCases) func conversationsContinueResetAndRecoverFromAStaleID(_ backend: Backend) throws {
        let s = try AnswerStack(backend: backend)
        defer { s.stop() }
        s.dify.defaultScript = .answer(text: "好的")
        let first = try s.wecom.send(WeComSimulator.text(msgID: "c-1", content: "第一问"))
        _ = try s.wecom.final(streamID: first)
        let conversation = try #require(s.dify.chatRequests.first?.conversationID)
        #expect(s.dify.chatRequests.first?.isContinuation == false)

        let second = try s.wecom.send(WeComSimulator.text(msgID: "c-2", content: "第二问"))
        _ = try s.wecom.final(streamID: second)
        #expect(s.dify.chatRequests.count == 2)
        #expect(s.dify.chatRequests[1].requestedConversationID == conversation)

        let reset = try s.wecom.send(WeComSimulator.text(msgID: "c-3", content: "/new"))
        let resetFrame = try s.wecom.final(streamID: reset)
        #expect((resetFrame["content"] as? String)?.contains("新的对话") == true)
        #expect(s.dify.chatRequests.count == 2, "/new must not call Dify")
        #expect(try s.stack.sql("SELECT count(*) FROM conversations") == "0")

        let third = try s.wecom.send(WeComSimulator.text(msgID: "c-4", content: "第三问"))
        _ = try s.wecom.final(streamID: third)
        #expect(s.dify.chatRequests.count == 3)
        #expect(s.dify.chatRequests[2].isContinuation == false)

        // A stale id (deleted in Dify): 404, cleared, asked once more in a new conversation.
        try s.stack.sql("UPDATE conversations SET conversation_id = '00000000-0000-0000-0000-00000000dead'")
        s.dify.defaultScript = .conversationMissingOnce(thenAnswer: ["重新开始了"])
        let fourth = try s.wecom.send(WeComSimulator.text(msgID: "c-5", content: "第四问"))
        let recovered = try s.wecom.final(streamID: fourth)
        #expect(recovered["content"] as? String == "重新开始了")
        #expect(s.dify.chatRequests.count == 5)
        #expect(s.dify.chatRequests[3].requestedConversationID == "00000000-0000-0000-0000-00000000dead")
        #expect(s.dify.chatRequests[4].isContinuation == false)
        let fresh = try #require(s.dify.chatRequests.last?.conversationID)
        #expect(try s.stack.sql("SELECT conversation_id FROM conversations") == fresh)
    }

    @Test func imageAndMixedMessagesReachDifyAsUploads() throws {
        let s = try AnswerStack()
        defer { s.stop() }
        s.dify.defaultScript = .answer(text: "看到了")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<3000).map { UInt8($0 % 251) }
        let encrypted = try s.wecom.crypto.encryptMedia(png)
        let url = s.dify.serve(path: "/cos/image-1", bytes: Data(encrypted), contentType: "application/octet-stream")

        let imageStream = try s.wecom.send(WeComSimulator.image(msgID: "img-1", url: url))
        #expect(try s.wecom.final(streamID: imageStream)["content"] as? String == "看到了")
        let upload = try #require(s.dify.uploads.first)
        #expect([UInt8](upload.bytes) == png)
        #expect(upload.user == "wecom:zhangsan")
        let chat = try #require(s.dify.chatRequests.first)
        #expect(chat.files.count == 1)
        #expect(chat.files.first?["upload_file_id"]?.stringValue == upload.id)
        #expect(chat.files.first?["type"]?.stringValue == "image")
        #expect(chat.files.first?["transfer_method"]?.stringValue == "local_file")

        let mixedStream = try s.wecom.send(WeComSimulator.mixed(msgID: "mix-1", text: "这是什么", imageURL: url))
        _ = try s.wecom.final(streamID: mixedStream)
        #expect(s.dify.uploads.count == 2)
        #expect([UInt8](s.dify.uploads[1].bytes) == png)
        let mixedChat = try #require(s.dify.chatRequests.last)
        #expect(mixedChat.query == "这是什么")
        #expect(mixedChat.user == "wecom:wrGROUP:zhangsan")
        #expect(mixedChat.files.first?["upload_file_id"]?.stringValue == s.dify.uploads[1].id)
    }

    @Test func markdownImageInTheAnswerBecomesAMsgItem() throws {
        let s = try AnswerStack()
        defer { s.stop() }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("a tiny picture".utf8)
        _ = s.dify.serve(path: "/files/tools/cat.png", bytes: Data(png), contentType: "image/png")
        s.dify.defaultScript = .answer(chunks: ["这是一只猫：", "![小猫](/files/tools/cat.png?sign=abc)", "。"])
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "md-1", content: "画只猫"))
        let final = try s.wecom.final(streamID: streamID)
        let items = try #require(final["msg_item"] as? [[String: Any]])
        #expect(items.count == 1)
        let image = try #require(items.first?["image"] as? [String: Any])
        #expect(image["md5"] as? String == Digest.md5Hex(png))
        #expect(Data(base64Encoded: image["base64"] as? String ?? "").map { [UInt8]($0) } == png)
        let content = try #require(final["content"] as? String)
        #expect(content.contains("小猫"))
        #expect(!content.contains("/files/tools/cat.png"))
    }
}

/// Failures end with a readable message and `finish:true`, and the job records why.
@Suite(.serialized) struct WorkerFailureTests {
    @Test(arguments: Backend.allCases) func difyErrorEventIsShownAndRecorded(_ backend: Backend) throws {
        let s = try AnswerStack(backend: backend)
        defer { s.stop() }
        s.dify.defaultScript = .answerThenError(chunks: ["一半"], code: "completion_request_error",
                                                message: "model invocation failed", status: 400)
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "f-err", content: "问"))
        let final = try s.wecom.final(streamID: streamID)
        let content = try #require(final["content"] as? String)
        #expect(content.hasPrefix("一半"))
        #expect(content.contains("completion_request_error"))
        let job = try s.job(stream: streamID)
        #expect(job.hasPrefix("dead|1|dify:"))
        #expect(try s.stack.sql("SELECT state FROM streams WHERE id = '\(streamID)'") == "failed")
    }

    @Test(arguments: Backend.allCases) func http500IsRetriedThenShown(_ backend: Backend) throws {
        let s = try AnswerStack(environment: ["WECOM_JOB_MAX_ATTEMPTS": "2"], backend: backend)
        defer { s.stop() }
        s.dify.defaultScript = .internalServerError
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "f-500", content: "问"))
        let final = try s.wecom.final(streamID: streamID, timeout: 30)
        #expect((final["content"] as? String)?.contains("HTTP 500") == true)
        #expect(s.dify.chatRequests.count == 2)
        let job = try s.job(stream: streamID)
        #expect(job.hasPrefix("dead|2|dify:"))
        #expect(job.contains("500"))
    }

    @Test func silentStreamTimesOut() throws {
        let s = try AnswerStack(environment: ["WECOM_DIFY_IDLE_TIMEOUT": "1"])
        defer { s.stop() }
        s.dify.defaultScript = .silentAfter(chunks: ["开头"])
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "f-idle", content: "问"))
        let final = try s.wecom.final(streamID: streamID)
        let content = try #require(final["content"] as? String)
        #expect(content.hasPrefix("开头"))
        #expect(content.contains("长时间没有响应"))
        #expect(try s.job(stream: streamID).hasPrefix("dead|1|dify: "))
    }

    @Test func unreachableDifyIsShownAfterRetries() throws {
        let closedPort = try freePort()
        let s = try AnswerStack(environment: ["DIFY_API_BASE_URL": "http://127.0.0.1:\(closedPort)/v1",
                                              "WECOM_JOB_MAX_ATTEMPTS": "2"])
        defer { s.stop() }
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "f-down", content: "问"))
        let final = try s.wecom.final(streamID: streamID, timeout: 30)
        #expect((final["content"] as? String)?.contains("无法连接") == true)
        #expect(try s.job(stream: streamID).hasPrefix("dead|2|dify: "))
    }

    @Test func mediaDownloadFailureIsShown() throws {
        let s = try AnswerStack()
        defer { s.stop() }
        let streamID = try s.wecom.send(WeComSimulator.image(msgID: "f-media", url: s.dify.baseURL + "/cos/missing"))
        let final = try s.wecom.final(streamID: streamID)
        #expect((final["content"] as? String)?.contains("下载失败") == true)
        #expect(try s.job(stream: streamID).hasPrefix("dead|1|media: "))
        #expect(s.dify.chatRequests.isEmpty)
    }
}

/// Crashes and the 6-minute window.
@Suite(.serialized) struct WorkerRecoveryTests {
    @Test(arguments: Backend.allCases) func killedWorkerIsReplacedAfterLeaseExpiry(_ backend: Backend) throws {
        let s = try AnswerStack(workers: 0, environment: ["WECOM_JOB_LEASE": "2"], backend: backend)
        defer { s.stop() }
        let gate = Gate()
        let chunks = ["第一句。", "第二句。", "第三句。"]
        s.dify.defaultScript = .gated(chunks: chunks, gate: gate)
        let doomed = try s.stack.startWorker()
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "k-1", content: "讲个故事"))
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(1)
        _ = try s.wecom.poll(streamID: streamID) { $0.stream["content"] as? String == chunks[0] }
        kill(doomed.pid, SIGKILL)
        try waitUntil("killed worker gone") { !doomed.isRunning }
        try s.stack.startWorker()
        #expect(s.dify.waitForChatRequests(count: 2, timeout: 20))
        gate.openAll()
        let final = try s.wecom.final(streamID: streamID)
        #expect(final["content"] as? String == chunks.joined())
        #expect(try s.job(stream: streamID) == "done|2|")
    }

    @Test(arguments: Backend.allCases) func deadlineClosesTheStreamAndPostsTheAnswerOnce(_ backend: Backend) throws {
        let s = try AnswerStack(environment: ["WECOM_STREAM_DEADLINE": "2"], backend: backend)
        defer { s.stop() }
        let gate = Gate()
        s.dify.defaultScript = .gated(chunks: ["慢慢来，", "终于好了。"], gate: gate)
        let responseURL = s.dify.responseURL(code: "CODE-DEADLINE")
        let streamID = try s.wecom.send(WeComSimulator.text(msgID: "d-1", content: "慢问题", responseURL: responseURL))
        #expect(gate.waitForWaiters(1, timeout: 10))
        gate.open(1)
        let closed = try s.wecom.final(streamID: streamID, timeout: 15)
        #expect((closed["content"] as? String)?.contains("完成后会另外发送") == true)
        #expect(try s.stack.sql("SELECT state FROM jobs WHERE stream_id = '\(streamID)'") == "running")
        gate.openAll()
        #expect(s.dify.waitForPostedResponses(count: 1, code: "CODE-DEADLINE", timeout: 15))
        try s.stack.waitForSQL("SELECT state FROM jobs WHERE stream_id = '\(streamID)'", toBe: "done")
        let posted = s.dify.postedResponses
        #expect(posted.count == 1)
        let body = try #require(posted.first?.json)
        #expect(body["msgtype"]?.stringValue == "markdown")
        #expect(body["markdown"]?["content"]?.stringValue == "慢慢来，终于好了。")
        #expect(!s.stack.logs.contains("CODE-DEADLINE"), "the response_url code must never be logged")
    }
}
