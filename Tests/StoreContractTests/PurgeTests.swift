import BotStore
import StoreTestSupport
import Testing

/// `purge`: old finished rows go, in batches; queued and running work and recent rows stay.
@Suite struct PurgeTests {
    let t0: Int64 = 1_700_000_000

    @Test(arguments: Backend.allCases) func removesOnlyOldFinishedStreamsWithEverythingTheyOwn(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 10, images: 2)   // old: goes
            try store.completeJob(2, .dead, queuedAt: t0 + 1, finishedAt: t0 + 20)          // old: goes
            try store.completeJob(3, .done, queuedAt: t0 + 2, finishedAt: t0 + 1000)        // recent: stays
            try store.enqueue(4, at: t0 + 3)                                                // queued: stays
            let running = try store.enqueue(5, at: t0 + 4)
            _ = try store.claimJob(owner: "w9", now: t0 + 900, lease: 30)                   // claims s4
            _ = try store.claimJob(owner: "w9", now: t0 + 900, lease: 30)                   // claims s5
            // s5 closed early at the deadline while its job keeps running: stays.
            #expect(try store.closeStreamEarly(jobID: running, owner: "w9", content: "still working", now: t0 + 5))

            let counts = try store.purge(olderThan: t0 + 500, batch: 500)
            #expect(counts == PurgeCounts(streams: 2, messages: 2, images: 2, jobs: 2, batches: 1))
            #expect(try store.count("streams", where: "TRUE") == 3)
            #expect(try store.count("streams", where: "id IN ('s3', 's4', 's5')") == 3)
            #expect(try store.count("messages", where: "TRUE") == 3)
            #expect(try store.count("jobs", where: "TRUE") == 3)
            #expect(try store.count("stream_images", where: "TRUE") == 0)
            // Nothing left to do the second time.
            #expect(try store.purge(olderThan: t0 + 500, batch: 500) == PurgeCounts())
        }
    }

    @Test(arguments: Backend.allCases) func worksInBatchesOfTheGivenSize(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            for n in 1...7 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 50) }
            let counts = try store.purge(olderThan: t0 + 100, batch: 3)
            #expect(counts == PurgeCounts(streams: 7, messages: 7, images: 0, jobs: 7, batches: 3))
            #expect(try store.count("streams", where: "TRUE") == 0)
        }
    }

    @Test(arguments: Backend.allCases) func aStreamFinishedEarlyStaysWhileItsJobFinishedRecently(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try store.enqueue(1, at: t0)
            _ = try store.claimJob(owner: "w1", now: t0, lease: 3000)
            #expect(try store.closeStreamEarly(jobID: id, owner: "w1", content: "still working", now: t0 + 330))
            #expect(try store.finishJob(jobID: id, owner: "w1", outcome: JobOutcome(kind: .done, content: "x"), now: t0 + 900))
            #expect(try store.purge(olderThan: t0 + 600, batch: 10) == PurgeCounts())
            #expect(try store.purge(olderThan: t0 + 901, batch: 10).streams == 1)
        }
    }

    /// Old streams that must stay (queued, running) between purgeable ones: each batch goes on
    /// after the last stream the previous one took, and skips them.
    @Test(arguments: Backend.allCases) func batchesSkipTheStreamsThatStay(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            for n in 1...5 { try store.completeJob(n, .done, queuedAt: t0 + Int64(n), finishedAt: t0 + 10) }
            try store.execute("UPDATE jobs SET state = 'queued' WHERE stream_id IN ('s2', 's4')")   // retried: stay
            let counts = try store.purge(olderThan: t0 + 100, batch: 1)
            #expect(counts == PurgeCounts(streams: 3, messages: 3, images: 0, jobs: 3, batches: 3))
            #expect(try store.count("streams", where: "id IN ('s2', 's4')") == 2)
            #expect(try store.count("streams", where: "TRUE") == 2)
            #expect(try store.count("messages", where: "msgid IN ('m2', 'm4')") == 2)
        }
    }

    /// A long-connection stream's push state goes with its stream; messages the bot sent first go
    /// once finished (sent, failed, cancelled) before the cutoff; waiting and in-flight ones stay.
    @Test(arguments: Backend.allCases) func removesPushStateAndFinishedOutboundMessages(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 100_000)
            for n in 1...2 {
                _ = try store.acceptMessage(.mockLongConnection(msgID: "m\(n)", streamID: "s\(n)", reqID: "r\(n)"), now: t0)
            }
            let job = try #require(try store.claimJob(owner: "w1", now: t0, lease: 30))
            #expect(try store.finishJob(jobID: job.id, owner: "w1", outcome: JobOutcome(kind: .done, content: "a"), now: t0 + 10))

            func queue(_ n: Int, at now: Int64) throws -> Int64 {
                try store.queueOutbound(NewOutboundMessage(botID: "bot-1", target: .user("u\(n)"), markdown: "m\(n)"), now: now)
            }
            let sent = try queue(1, at: t0), failed = try queue(2, at: t0), sending = try queue(3, at: t0)
            #expect(try store.claimOutbound(holder: "A", now: t0 + 1, lease: 100_000, limit: 3).count == 3)
            #expect(try store.recordOutboundOutcome(id: sent, holder: "A", outcome: .sent, now: t0 + 10))
            #expect(try store.recordOutboundOutcome(id: failed, holder: "A", outcome: .failed(errcode: 93006, errmsg: "bad chatid"),
                                                    now: t0 + 20))
            let cancelled = try queue(4, at: t0 + 2)
            #expect(try store.cancelOutbound(id: cancelled, now: t0 + 30))
            let queued = try queue(5, at: t0 + 3)
            let recent = try queue(6, at: t0 + 4)
            #expect(try store.cancelOutbound(id: recent, now: t0 + 900))

            let counts = try store.purge(olderThan: t0 + 500, batch: 2)
            #expect(counts == PurgeCounts(streams: 1, messages: 1, images: 0, jobs: 1, outbound: 3, batches: 3))
            #expect(try store.count("ws_streams", where: "TRUE") == 1)
            #expect(try store.count("ws_streams", where: "stream_id = 's2'") == 1)
            for id in [sent, failed, cancelled] { #expect(try store.outboundMessage(id: id) == nil) }
            #expect(try [sending, queued, recent].map { try store.outboundMessage(id: $0)?.state }
                    == [.sending, .queued, .cancelled])
            #expect(try store.purge(olderThan: t0 + 500, batch: 2) == PurgeCounts())
        }
    }
}
