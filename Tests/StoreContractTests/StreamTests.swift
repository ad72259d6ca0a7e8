import BotStore
import StoreTestSupport
import Testing

/// Accepting messages and reading their streams, as the responder does.
@Suite struct StreamTests {
    let t0: Int64 = 1_700_000_000
    let image = StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)

    @Test(arguments: Backend.allCases) func unknownStreamIsNil(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.stream(id: "nope") == nil)
        }
    }

    @Test(arguments: Backend.allCases) func acceptOpensAPendingStreamAndQueuesItsJob(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let message = NewMessage.mock(msgID: "m1", streamID: "s1")
            let accepted = try store.acceptMessage(message, now: t0)
            #expect(accepted.isNew)
            #expect(accepted.stream == StreamSnapshot(id: "s1", state: .pending, content: "thinking…",
                                                      finished: false, createdAt: t0, updatedAt: t0))
            #expect(try store.stream(id: "s1") == accepted.stream)
            #expect(try store.count("jobs", where: "stream_id = 's1' AND state = 'queued' AND run_at = \(t0)") == 1)
            #expect(try store.count("jobs", where: #"payload LIKE '%"msgid":"m1"%'"#) == 1)
            #expect(try store.count("streams", where: "response_url LIKE '%/response/m1' AND agent = 'default'") == 1)
            #expect(try store.count("messages", where: "msgid = 'm1' AND stream_id = 's1' AND created_at = \(t0)") == 1)
        }
    }

    @Test(arguments: Backend.allCases) func redeliveryReturnsTheSameStreamAndQueuesNothing(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: job.id, owner: "w1", content: "partial", leaseUntil: t0 + 30, now: t0 + 1))
            let again = try store.acceptMessage(.mock(msgID: "m1", streamID: "s2"), now: t0 + 2)
            #expect(!again.isNew)
            #expect(again.stream.id == "s1")
            #expect(again.stream.content == "partial")
            #expect(again.stream.state == .streaming)
            #expect(try store.count("jobs", where: "TRUE") == 1)
            #expect(try store.stream(id: "s2") == nil)
            // The same msgid from another aibot is a different message.
            #expect(try store.acceptMessage(.mock(msgID: "m1", streamID: "s3", aibotID: "aibot-2"), now: t0).isNew)
        }
    }

    /// Text comes back as it went in, except U+0000, which PostgreSQL's text cannot hold: it
    /// becomes U+FFFD there.
    @Test(arguments: Backend.allCases) func emptyAndUnusualTextRoundTrips(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let accepted = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1", initialContent: ""), now: t0)
            #expect(try store.stream(id: "s1")?.content == "")
            #expect(accepted.stream.content == "")
            let text = "你好 👋\u{0}after NUL\n'quote' \"double\" \\ backslash"
            let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: job.id, owner: "w1", content: text, leaseUntil: t0 + 30, now: t0 + 1))
            let stored = backend == .postgres ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
            #expect(try store.stream(id: "s1")?.content == stored)
        }
    }

    @Test(arguments: Backend.allCases) func aFinishedStreamShowsItsImagesAlsoToARedelivery(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.writeProgress(jobID: job.id, owner: "w1", content: "Here", leaseUntil: t0 + 30, now: t0 + 1))
            #expect(try store.stream(id: "s1")?.images == [])
            let outcome = JobOutcome(kind: .done, content: "Here it is", images: [image])
            #expect(try store.finishJob(jobID: job.id, owner: "w1", outcome: outcome, now: t0 + 5))

            let finished = StreamSnapshot(id: "s1", state: .finished, content: "Here it is", finished: true,
                                          images: [image], createdAt: t0, updatedAt: t0 + 5)
            #expect(try store.stream(id: "s1") == finished)
            #expect(try store.scalarInt("SELECT bytes FROM stream_images WHERE stream_id = 's1'") == 69)
            let again = try store.acceptMessage(.mock(msgID: "m1", streamID: "s9"), now: t0 + 7)
            #expect(again == AcceptedMessage(stream: finished, isNew: false))
        }
    }

    @Test(arguments: Backend.allCases) func unfinishedStreamShowsNoImages(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: t0)
            // Images written behind the store's back do not show before the stream finishes.
            try store.execute("INSERT INTO stream_images VALUES ('s1', 0, 'x', 1, \(backend.blobLiteral(hex: "00")))")
            #expect(try store.stream(id: "s1")?.images == [])
        }
    }

    @Test(arguments: Backend.allCases) func deletingAStreamDeletesItsMessageJobAndImages(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 1, images: 2)
            try store.completeJob(2, .done, queuedAt: t0, finishedAt: t0 + 1, images: 1)
            try store.execute("DELETE FROM streams WHERE id = 's1'")
            for table in ["messages", "jobs"] {
                #expect(try store.count(table, where: "TRUE") == 1, "\(table)")
            }
            #expect(try store.count("stream_images", where: "stream_id = 's2'") == 1)
            #expect(try store.count("stream_images", where: "TRUE") == 1)
        }
    }
}
