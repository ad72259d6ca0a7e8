import BotStore
import StoreTestSupport
import Testing

/// The streams of long-connection messages: which ones the holder of their bot has something to
/// push, and recording what it pushed (compare-and-set on the push state's `seq`).
@Suite struct PushStateTests {
    let t0: Int64 = 1_700_000_000

    /// Stream ids `holder` is to push now, with `windowStartedBefore` far in the past unless given.
    func due(_ store: any TestStore, _ holder: String, windowStartedBefore: Int64? = nil, now: Int64) throws -> [String] {
        try store.longConnectionStreams(holder: holder, windowStartedBefore: windowStartedBefore ?? t0 - 1_000_000,
                                        now: now).map(\.streamID)
    }

    func only(_ store: any TestStore, _ holder: String, now: Int64) throws -> LongConnectionStream {
        let streams = try store.longConnectionStreams(holder: holder, windowStartedBefore: t0 - 1_000_000, now: now)
        guard streams.count == 1, let stream = streams.first else {
            throw MissingRow(description: "one stream to push for \(holder), found \(streams.map(\.streamID))")
        }
        return stream
    }

    /// A stream frame carrying `stream`'s snapshot went out.
    func framePushed(_ stream: LongConnectionStream, phase: PushPhase = .streaming) -> PushUpdate {
        PushUpdate(frameSent: true, pushed: stream.version, phase: phase, fallback: stream.push.fallback,
                   followUpsSent: stream.push.followUpsSent)
    }

    @Test(arguments: Backend.allCases) func aNewMessageIsListedWithItsRequestIDAndAFreshPushState(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            let accepted = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "req-1"), now: t0)
            #expect(accepted.isNew)
            let stream = try only(store, "A", now: t0)
            #expect(stream == LongConnectionStream(
                streamID: "s1", botID: "bot-1", reqID: "req-1", aibotID: "bot-1", msgID: "m1", chatID: nil,
                chatType: "single", userID: "u1", state: .pending, content: "thinking…", finished: false, error: nil,
                imageCount: 0, createdAt: t0, updatedAt: t0,
                version: SnapshotVersion(storedUpdatedAt: t0, contentBytes: "thinking…".utf8.count),
                push: PushState(phase: .streaming, firstFrameAt: nil, pushed: nil, fallback: false, followUpsSent: 0, seq: 0)))
            #expect(stream.changedSincePush)
        }
    }

    /// Only the holder's bots; a callback message has no push state at all.
    @Test(arguments: Backend.allCases) func onlyTheStreamsOfTheBotsTheHolderHoldsAreListed(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            _ = try store.acquireConnection(botID: "bot-2", holder: "B", now: t0, lease: 1000)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "r1"), now: t0)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m2", streamID: "s2", reqID: "r2", botID: "bot-2"), now: t0)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m3", streamID: "s3", reqID: "r3", botID: "bot-3"), now: t0)
            _ = try store.acceptMessage(.mock(msgID: "m4", streamID: "s4"), now: t0)
            #expect(try due(store, "A", now: t0) == ["s1"])
            #expect(try due(store, "B", now: t0) == ["s2"])
            #expect(try due(store, "C", now: t0) == [])
            #expect(try store.count("ws_streams", where: "TRUE") == 3)
            #expect(try store.count("ws_streams", where: "stream_id = 's4'") == 0)

            // B's lease ends and A takes bot-2 over: its stream is A's to push now.
            #expect(try store.acquireConnection(botID: "bot-2", holder: "A", now: t0 + 1001, lease: 1000)
                    == .acquired(until: t0 + 2001))
            #expect(try due(store, "A", now: t0 + 1001) == ["s1", "s2"])
            #expect(try due(store, "B", now: t0 + 1001) == [])
        }
    }

    /// In phase `streaming`: listed while never pushed, when the snapshot changed, when the
    /// answer finished, or when the window started at or before the given time. In phase
    /// `ended`: once the answer is finished. `delivered`: never again.
    @Test(arguments: Backend.allCases) func theSelectionRulesFollowThePhase(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 100_000)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "r1"), now: t0)
            let first = try only(store, "A", now: t0 + 1)
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 0, update: framePushed(first), now: t0 + 1))
            #expect(try due(store, "A", now: t0 + 2) == [], "pushed, unchanged, unfinished, window young")
            #expect(try due(store, "A", windowStartedBefore: t0, now: t0 + 2) == [])
            #expect(try due(store, "A", windowStartedBefore: t0 + 1, now: t0 + 2) == ["s1"], "the deadline is reached")

            // The worker writes the growing answer.
            let job = try #require(try store.claimJob(owner: "w1", now: t0 + 3, lease: 100))
            #expect(try store.writeProgress(jobID: job.id, owner: "w1", content: "Hello", leaseUntil: t0 + 103, now: t0 + 4))
            let grown = try only(store, "A", now: t0 + 4)
            #expect(grown.content == "Hello" && grown.state == .streaming && grown.changedSincePush)
            #expect(grown.version == SnapshotVersion(storedUpdatedAt: t0 + 4, contentBytes: 5))
            #expect(grown.push.pushed == first.version && grown.push.seq == 1 && grown.push.firstFrameAt == t0 + 1)
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 1, update: framePushed(grown), now: t0 + 5))
            #expect(try due(store, "A", now: t0 + 5) == [])

            // Same second, longer content: the byte count tells the snapshots apart.
            #expect(try store.writeProgress(jobID: job.id, owner: "w1", content: "Hello, 世界", leaseUntil: t0 + 103,
                                            now: t0 + 4))
            #expect(try only(store, "A", now: t0 + 5).version == SnapshotVersion(storedUpdatedAt: t0 + 4,
                                                                                 contentBytes: "Hello, 世界".utf8.count))

            // The deadline ended the stream frames before the answer: nothing until it finishes.
            let late = try only(store, "A", now: t0 + 6)
            let ended = PushUpdate(frameSent: true, pushed: late.version, phase: .ended, fallback: true, followUpsSent: 0)
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 2, update: ended, now: t0 + 6))
            #expect(try due(store, "A", windowStartedBefore: t0 + 100, now: t0 + 7) == [])
            #expect(try store.finishJob(jobID: job.id, owner: "w1", outcome: JobOutcome(kind: .done, content: "Hello, 世界!"),
                                        now: t0 + 8))
            let finished = try only(store, "A", now: t0 + 8)
            #expect(finished.finished && finished.state == .finished && finished.content == "Hello, 世界!")
            #expect(finished.push == PushState(phase: .ended, firstFrameAt: t0 + 1, pushed: late.version, fallback: true,
                                               followUpsSent: 0, seq: 3))

            var rest = PushUpdate(keeping: finished.push)
            rest.followUpsSent = 1
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 3, update: rest, now: t0 + 9))
            #expect(try only(store, "A", now: t0 + 9).push.followUpsSent == 1, "still ended: listed until delivered")
            rest.phase = .delivered
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 4, update: rest, now: t0 + 10))
            #expect(try due(store, "A", windowStartedBefore: t0 + 100, now: t0 + 10) == [])
            #expect(try store.count("ws_streams", where: "phase = 'delivered' AND push_seq = 5 AND follow_ups_sent = 1") == 1)
        }
    }

    /// A finished answer is listed in phase `streaming` even when its last snapshot was pushed:
    /// the final frame (`finish: true`) is still to go.
    @Test(arguments: Backend.allCases) func aFinishedStreamIsListedUntilTheFinalFrameIsRecorded(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 100_000)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "r1"), now: t0)
            let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 100))
            #expect(try store.finishJob(jobID: job.id, owner: "w1",
                                        outcome: JobOutcome(kind: .done, content: "answer",
                                                            images: [StreamImage(data: Fixtures.png, md5: Fixtures.pngMD5)]),
                                        now: t0 + 1))
            let done = try only(store, "A", now: t0 + 1)
            #expect(done.finished && done.imageCount == 1)
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 0, update: framePushed(done), now: t0 + 2))
            #expect(try due(store, "A", now: t0 + 2) == ["s1"])
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 1,
                                         update: framePushed(done, phase: .delivered), now: t0 + 3))
            #expect(try due(store, "A", now: t0 + 3) == [])
        }
    }

    /// A stale `seq` or a process that does not hold the bot changes nothing; the window's start
    /// is the first frame's time, whatever later frames say; an update without a snapshot keeps
    /// the recorded one.
    @Test(arguments: Backend.allCases) func recordPushIsACompareAndSetByTheHolder(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "r1"), now: t0)
            let stream = try only(store, "A", now: t0)
            #expect(try !store.recordPush(streamID: "s1", holder: "B", expectedSeq: 0, update: framePushed(stream), now: t0 + 1))
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 0, update: framePushed(stream), now: t0 + 1))
            #expect(try !store.recordPush(streamID: "s1", holder: "A", expectedSeq: 0, update: framePushed(stream), now: t0 + 2),
                    "stale seq")
            #expect(try !store.recordPush(streamID: "nope", holder: "A", expectedSeq: 0, update: framePushed(stream), now: t0 + 2))

            let noSnapshot = PushUpdate(frameSent: true, pushed: nil, phase: .streaming, fallback: false, followUpsSent: 0)
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 1, update: noSnapshot, now: t0 + 5))
            let state = try #require(try store.longConnectionStreams(holder: "A", windowStartedBefore: t0 + 10, now: t0 + 6).first)
            #expect(state.push == PushState(phase: .streaming, firstFrameAt: t0 + 1, pushed: stream.version, fallback: false,
                                            followUpsSent: 0, seq: 2))

            // A's lease runs out and B takes the bot: the push state is B's to advance, from where A left it.
            _ = try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 31, lease: 30)
            #expect(try !store.recordPush(streamID: "s1", holder: "A", expectedSeq: 2, update: noSnapshot, now: t0 + 32))
            #expect(try due(store, "B", now: t0 + 32) == [], "nothing new to push")
            let takenOver = try #require(try store.longConnectionStreams(holder: "B", windowStartedBefore: t0 + 1,
                                                                         now: t0 + 32).first)
            #expect(takenOver.push == state.push)
            #expect(try store.recordPush(streamID: "s1", holder: "B", expectedSeq: 2, update: framePushed(takenOver),
                                         now: t0 + 33))
            #expect(try store.longConnectionStreams(holder: "B", windowStartedBefore: t0 + 1, now: t0 + 33).first?.push.seq == 3)
        }
    }

    /// WeCom redelivers a message whose acknowledgement was lost, on the same or a new
    /// connection: the stream and its push state keep the first frame's `req_id`.
    @Test(arguments: Backend.allCases) func aRedeliveryKeepsTheFirstRequestID(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1", reqID: "req-first"), now: t0)
            let again = try store.acceptMessage(.mockLongConnection(msgID: "m1", streamID: "s1-again", reqID: "req-second"),
                                                now: t0 + 5)
            #expect(!again.isNew && again.stream.id == "s1")
            #expect(try only(store, "A", now: t0 + 5).reqID == "req-first")
            #expect(try store.count("ws_streams", where: "TRUE") == 1)
            #expect(try store.count("jobs", where: "TRUE") == 1)
        }
    }

    /// A retried job whose stream frames had ended delivers its new answer by `aibot_send_msg`
    /// from the first part; one still streaming just goes on.
    @Test(arguments: Backend.allCases) func aRequeuedStreamWhoseFramesEndedFallsBack(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 100_000)
            for n in 1...2 {
                _ = try store.acceptMessage(.mockLongConnection(msgID: "m\(n)", streamID: "s\(n)", reqID: "r\(n)"), now: t0)
                let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 100))
                #expect(try store.finishJob(jobID: job.id, owner: "w1", outcome: JobOutcome(kind: .dead, content: "failed"),
                                            now: t0 + 1))
            }
            let s1 = try #require(try store.longConnectionStreams(holder: "A", windowStartedBefore: 0, now: t0 + 2).first)
            var delivered = framePushed(s1, phase: .delivered)
            delivered.followUpsSent = 2
            #expect(try store.recordPush(streamID: "s1", holder: "A", expectedSeq: 0, update: delivered, now: t0 + 2))
            let jobs = try store.jobs(state: .dead, limit: 10)
            for job in jobs { #expect(try store.requeueJob(id: job.id, now: t0 + 10) == .requeued(from: .dead, streamID: job.streamID)) }

            #expect(try due(store, "A", now: t0 + 10) == ["s2"], "s2 was never pushed; s1 waits for its new answer")
            let states = try store.longConnectionStreams(holder: "A", windowStartedBefore: 0, now: t0 + 10)
            #expect(states.first?.push == PushState(phase: .streaming, firstFrameAt: nil, pushed: nil, fallback: false,
                                                    followUpsSent: 0, seq: 0))
            #expect(try store.count("ws_streams", where: "stream_id = 's1' AND phase = 'ended' AND fallback = 1 "
                                    + "AND follow_ups_sent = 0 AND push_seq = 2") == 1)
        }
    }
}
