import BotStore
import StoreTestSupport
import Testing

/// `StoreTransfer` and `StoreCopier`: moving a store's records to the other backend and back
/// (`wecomctl store copy`), resuming an interrupted copy, refusing a destination that holds
/// other values.
@Suite struct TransferTests {
    static let t0: Int64 = 1_700_000_000
    /// Streams created in the last 10 minutes are copied whatever their state.
    static let scope = TransferScope(recentSince: t0 - 600)

    /// A source and a destination of different backends, both ways.
    static let directions: [(Backend, Backend)] = [(.sqlite, .postgres), (.postgres, .sqlite)]

    /// Bots, agents, conversations, events, and six streams: queued `s1`, running `s2`, `s3`
    /// closed early at the deadline while its job still runs (created before the recent window),
    /// `s4` answered a minute ago with two images, and `s5` (dead) and `s6` (done), finished an
    /// hour ago, which a copy leaves behind.
    static func populate(_ store: any TestStore) throws {
        try store.saveBot(BotRecord(botID: "aibA", token: "tokA", encodingAESKey: String(repeating: "a", count: 43),
                                    agent: "1", botName: "助手", createdAt: t0 - 9000))
        try store.saveBot(BotRecord(botID: "aibB", token: "tokB", encodingAESKey: String(repeating: "b", count: 43),
                                    receiveID: "corp", createdAt: t0 - 8000))
        try store.saveAgent(AgentRecord(id: "1", name: "销售助手", difyBaseURL: "http://dify.local/v1", difyAPIKey: "app-1",
                                        welcomeText: "你好", createdAt: t0 - 9000))
        try store.saveAgent(AgentRecord(id: "2", name: "support", difyBaseURL: "http://dify.local/v1", difyAPIKey: "app-2",
                                        botName: "Helper", createdAt: t0 - 7000))
        for (index, chat) in ["", "group-1", "group-2"].enumerated() {
            try store.saveConversationID("conv-\(index)", for: ConversationKey(botID: "aibA", agent: "1", chat: chat, userID: "u1"),
                                         now: t0 - 100 + Int64(index))
        }
        try store.recordEvent(.mockFeedback(msgID: "fb-1"), now: t0 - 40)
        try store.recordEvent(StoredEvent(kind: .templateCard, botID: "bot-1", aibotID: "aibot-1", msgID: "card-1", userID: "u2",
                                          reference: "task-1", rating: nil, detail: "btn_ok", payload: "{}"), now: t0 - 30)

        try store.completeJob(5, .dead, queuedAt: t0 - 3600, finishedAt: t0 - 3500)
        try store.completeJob(6, .done, queuedAt: t0 - 3000, finishedAt: t0 - 2990)
        try store.completeJob(4, .done, queuedAt: t0 - 60, finishedAt: t0 - 50, images: 2)
        let early = try store.enqueue(3, at: t0 - 700)
        _ = try #require(try store.claimJob(owner: "w3", now: t0 - 700, lease: 30))
        #expect(try store.closeStreamEarly(jobID: early, owner: "w3", content: "partial", now: t0 - 370))
        #expect(try store.renewLease(jobID: early, owner: "w3", leaseUntil: t0 + 30, now: t0 - 1))
        try store.enqueue(2, at: t0 - 20)
        #expect(try store.claimJob(owner: "w2", now: t0 - 20, lease: 30)?.streamID == "s2")
        try store.enqueue(1, at: t0 - 5)
    }

    /// Every record in the scope, read in batches of two (so the key paging is exercised).
    static func exportAll(_ store: any StoreTransfer) throws -> [TransferRecord] {
        var all: [TransferRecord] = []
        for kind in TransferKind.allCases {
            var after: TransferKey?
            while true {
                let batch = try store.exportRecords(kind, scope: scope, after: after, limit: 2)
                all += batch
                guard let last = batch.last, batch.count == 2 else { break }
                after = last.key
            }
        }
        return all
    }

    static func streamIDs(_ records: [TransferRecord]) -> [String] {
        records.compactMap { if case let .stream(unit) = $0 { unit.stream.id } else { nil } }
    }

    @Test(arguments: directions) func aCopyToTheOtherBackendAndBackGivesTheSameRecords(_ from: Backend, _ to: Backend) throws {
        try withStore(from) { store, source in
            try Self.populate(store)
            let original = try source.backend.openTransfer()
            defer { original.close() }
            let records = try Self.exportAll(original)
            #expect(Self.streamIDs(records) == ["s1", "s2", "s3", "s4"])
            #expect(records.count == 2 + 2 + 3 + 2 + 4)
            guard case let .stream(answered)? = records.last else { throw MissingRow(description: "s4") }
            #expect(answered.images.count == 2 && answered.message?.msgID == "m4" && answered.job?.summary.state == .done)

            try withTestDatabase(to) { other in
                let middle = try other.backend.openTransfer()
                defer { middle.close() }
                let there = try StoreCopier(source: original, destination: middle, scope: Self.scope, batchSize: 3).copyAll()
                #expect(there[.streams] == StoreCopier.Tally(inserted: 4))
                #expect(try Self.exportAll(middle) == records)

                try withTestDatabase(from) { back in
                    let final = try back.backend.openTransfer()
                    defer { final.close() }
                    let copier = StoreCopier(source: middle, destination: final, scope: Self.scope)
                    _ = try copier.copyAll()
                    #expect(try Self.exportAll(final) == records)
                    let check = try copier.countCheck()
                    #expect(check.matches)
                    #expect(check.rows.map(\.destination) == [2, 2, 3, 2, 4, 4, 2, 4, 0, 0, 0])
                }
            }
        }
    }

    /// After the move the destination carries on: a redelivered msgid finds its stream, a new
    /// message's job gets an id no copied job has, and the queue is claimed as it was.
    @Test(arguments: directions) func theDestinationCarriesOnWhereTheSourceStopped(_ from: Backend, _ to: Backend) throws {
        try withStore(from) { store, source in
            try Self.populate(store)
            let highest = try #require(try store.scalarInt("SELECT max(id) FROM jobs"))
            let original = try source.backend.openTransfer()
            defer { original.close() }
            try withStore(to) { moved, destination in
                let copy = try destination.backend.openTransfer()
                defer { copy.close() }
                _ = try StoreCopier(source: original, destination: copy, scope: Self.scope).copyAll()

                let redelivered = try moved.acceptMessage(.mock(msgID: "m4", streamID: "s4-again"), now: Self.t0 + 5)
                #expect(!redelivered.isNew && redelivered.stream.id == "s4" && redelivered.stream.content == "answer 4")
                #expect(redelivered.stream.images.count == 2)
                #expect(try moved.count("jobs", where: "stream_id = 's4-again'") == 0)

                let fresh = try moved.acceptMessage(.mock(msgID: "m7", streamID: "s7"), now: Self.t0 + 5)
                #expect(fresh.isNew)
                #expect(try moved.scalarInt("SELECT id FROM jobs WHERE stream_id = 's7'") ?? 0 > highest)

                #expect(try moved.claimJob(owner: "w9", now: Self.t0, lease: 30)?.streamID == "s1")
                #expect(try moved.claimJob(owner: "w9", now: Self.t0, lease: 30) == nil)
                // Due by then, in this order: s7 (queued at t0 + 5), then s2, s3 and s1, whose leases
                // ended at t0 + 10, t0 + 30 and t0 + 30 (s3's job has the smaller id: copied ids kept).
                let later = try (0..<5).compactMap { _ in try moved.claimJob(owner: "w9", now: Self.t0 + 31, lease: 30) }
                #expect(later.map(\.streamID) == ["s7", "s2", "s3", "s1"])
                #expect(later.map(\.attempts) == [1, 2, 2, 2])
                #expect(try moved.stream(id: "s3")?.content == "partial")
                #expect(try moved.stream(id: "s5") == nil)
            }
        }
    }

    /// An interrupted copy, run again, ends with the same destination as an uninterrupted one:
    /// what the first run committed is recognised and passed over.
    @Test(arguments: directions) func anInterruptedCopyIsFinishedByRunningItAgain(_ from: Backend, _ to: Backend) throws {
        struct Interrupted: Error {}
        try withStore(from) { store, source in
            try Self.populate(store)
            let original = try source.backend.openTransfer()
            defer { original.close() }
            try withTestDatabase(to) { other in
                let destination = try other.backend.openTransfer()
                defer { destination.close() }
                let copier = StoreCopier(source: original, destination: destination, scope: Self.scope, batchSize: 1)
                #expect(throws: Interrupted.self) {
                    try copier.copyAll { progress in
                        if progress.kind == .streams && progress.done == 2 { throw Interrupted() }
                    }
                }
                #expect(Self.streamIDs(try Self.exportAll(destination)) == ["s1", "s2"])
                #expect(try !copier.countCheck().matches)

                var seen: [StoreCopier.Progress] = []
                let tallies = try copier.copyAll { seen.append($0) }
                #expect(tallies[.streams] == StoreCopier.Tally(inserted: 2, alreadyThere: 2))
                #expect(tallies[.conversations] == StoreCopier.Tally(alreadyThere: 3))
                #expect(seen.filter { $0.kind == .streams }.map(\.done) == [1, 2, 3, 4])
                #expect(seen.allSatisfy { $0.kind != .streams || $0.total == 4 })
                #expect(try Self.exportAll(destination) == Self.exportAll(original))
                #expect(try copier.countCheck().matches)
            }
        }
    }

    /// A destination holding other values under a key the copy needs stops the copy, and the
    /// batch that clashed writes nothing.
    @Test(arguments: directions) func aDestinationWithOtherValuesStopsTheCopy(_ from: Backend, _ to: Backend) throws {
        try withStore(from) { store, source in
            try Self.populate(store)
            let original = try source.backend.openTransfer()
            defer { original.close() }
            try withStore(to) { taken, destination in
                let copy = try destination.backend.openTransfer()
                defer { copy.close() }
                let copier = StoreCopier(source: original, destination: copy, scope: Self.scope)

                try taken.saveBot(BotRecord(botID: "aibB", token: "other", encodingAESKey: "k", createdAt: 1))
                let sameKey = try #require(throws: TransferConflict.self) { try copier.copyAll() }
                #expect(sameKey.kind == .bots && sameKey.key == TransferKey(["aibB"]))
                #expect(try taken.bots().map(\.botID) == ["aibB"])
                try taken.removeBot(id: "aibB")

                // Agent "1"'s name is taken by another id: found only by the insert, which rolls
                // its whole batch back (agent "2" too).
                try taken.saveAgent(AgentRecord(id: "9", name: "销售助手", difyBaseURL: "http://x/v1", difyAPIKey: "k"))
                let sameName = try #require(throws: TransferConflict.self) { try copier.copyAll() }
                #expect(sameName.kind == .agents && sameName.key == TransferKey(["1"]))
                #expect(try taken.agents().map(\.id) == ["9"])
                try taken.removeAgent(idOrName: "9")

                // The msgid of s1 already opened another stream here.
                _ = try taken.acceptMessage(.mock(msgID: "m1", streamID: "elsewhere"), now: Self.t0)
                let sameMsgID = try #require(throws: TransferConflict.self) { try copier.copyAll() }
                #expect(sameMsgID.kind == .streams && sameMsgID.key == TransferKey(["s1"]))
                #expect(sameMsgID.detail.contains("aibot-1/m1"))
                #expect(try taken.count("streams", where: "id <> 'elsewhere'") == 0)
            }
        }
    }

    @Test(arguments: Backend.allCases) func storedRecordsLeaveMissingKeysOut(_ backend: Backend) throws {
        try withStore(backend) { store, database in
            try Self.populate(store)
            let transfer = try database.backend.openTransfer()
            defer { transfer.close() }
            let found = try transfer.storedRecords(.streams, keys: [TransferKey(["s6"]), TransferKey(["nope"]), TransferKey(["s1"])])
            #expect(Self.streamIDs(found) == ["s6", "s1"])
            let conversation = try transfer.storedRecords(.conversations, keys: [TransferKey(["aibA", "1", "group-1", "u1"])])
            #expect(conversation == [.conversation(ConversationRecord(
                key: ConversationKey(botID: "aibA", agent: "1", chat: "group-1", userID: "u1"), conversationID: "conv-1",
                updatedAt: Self.t0 - 99))])
            #expect(try transfer.transferCounts(scope: TransferScope(recentSince: Self.t0 - 5000))[.streams] == 6)
        }
    }

    /// Long-connection rows: a bot with only a secret, a stream with its push state, the
    /// connection rows (a taken-over mark, a last error, not the lease), and the messages the bot
    /// sends first that wait, are being sent, or were queued recently (the old sent one stays).
    static func populateLongConnection(_ store: any TestStore) throws {
        try store.saveBot(BotRecord(botID: "aibWS", token: "", encodingAESKey: "", agent: "2", wsSecret: "ws-secret",
                                    createdAt: t0 - 5000))
        _ = try store.acquireConnection(botID: "aibWS", holder: "h1:10:a", now: t0 - 5000, lease: 10_000)
        func queue(_ user: String, at now: Int64) throws -> Int64 {
            try store.queueOutbound(NewOutboundMessage(botID: "aibWS", target: .user(user), markdown: "to \(user)"), now: now)
        }
        let old = try queue("u-old", at: t0 - 4000)
        #expect(try store.claimOutbound(holder: "h1:10:a", now: t0 - 3000, lease: 30, limit: 1).map(\.id) == [old])
        #expect(try store.recordOutboundOutcome(id: old, holder: "h1:10:a", outcome: .sent, now: t0 - 2990))
        let inFlight = try queue("u-sending", at: t0 - 2000)
        #expect(try store.claimOutbound(holder: "h1:10:a", now: t0 - 1500, lease: 100, limit: 1).map(\.id) == [inFlight])
        let withdrawn = try store.queueOutbound(NewOutboundMessage(botID: "aibWS", target: .group("g1"), markdown: "群"),
                                                now: t0 - 100)
        #expect(try store.cancelOutbound(id: withdrawn, now: t0 - 90))
        _ = try queue("u-waiting", at: t0 - 50)

        _ = try store.acceptMessage(.mockLongConnection(msgID: "m8", streamID: "s8", reqID: "req-8", botID: "aibWS"),
                                    now: t0 - 10)
        let stream = try #require(try store.longConnectionStreams(holder: "h1:10:a", windowStartedBefore: 0, now: t0 - 9).first)
        #expect(try store.recordPush(streamID: "s8", holder: "h1:10:a", expectedSeq: 0,
                                     update: PushUpdate(frameSent: true, pushed: stream.version, phase: .streaming,
                                                        fallback: false, followUpsSent: 0), now: t0 - 9))
        #expect(try store.recordDisconnected(botID: "aibWS", holder: "h1:10:a", error: "connection reset", now: t0 - 8))
        #expect(try store.releaseConnection(botID: "aibWS", holder: "h1:10:a", now: t0 - 7))
        _ = try store.acquireConnection(botID: "default-bot", holder: "h2:20:b", now: t0 - 6, lease: 30)
        #expect(try store.markTakenOver(botID: "default-bot", holder: "h2:20:b", now: t0 - 5))
    }

    @Test(arguments: directions) func longConnectionRowsGoAcrossAndBack(_ from: Backend, _ to: Backend) throws {
        try withStore(from) { store, source in
            try Self.populateLongConnection(store)
            let original = try source.backend.openTransfer()
            defer { original.close() }
            let records = try Self.exportAll(original)
            #expect(records.map(\.kind) == [.bots, .streams, .connections, .connections, .outbound, .outbound, .outbound])
            guard case let .stream(unit) = records[1] else { throw MissingRow(description: "s8") }
            #expect(unit.push == PushStateRecord(botID: "aibWS", reqID: "req-8", state: PushState(
                phase: .streaming, firstFrameAt: Self.t0 - 9,
                pushed: SnapshotVersion(storedUpdatedAt: Self.t0 - 10, contentBytes: "thinking…".utf8.count), fallback: false,
                followUpsSent: 0, seq: 1), createdAt: Self.t0 - 10, updatedAt: Self.t0 - 9))
            #expect(records[2] == .connection(ConnectionRecord(botID: "aibWS", takenOverAt: nil, lastError: "connection reset",
                                                               lastErrorAt: Self.t0 - 8, updatedAt: Self.t0 - 7)))
            #expect(records[3] == .connection(ConnectionRecord(botID: "default-bot", takenOverAt: Self.t0 - 5, lastError: nil,
                                                               lastErrorAt: nil, updatedAt: Self.t0 - 5)))
            let outbound = records.compactMap { if case let .outbound(record) = $0 { record } else { nil } }
            #expect(outbound.map(\.message.state) == [.sending, .cancelled, .queued])
            #expect(outbound.map(\.message.markdown) == ["to u-sending", "群", "to u-waiting"])
            #expect(outbound.first?.claimUntil == Self.t0 - 1400 && outbound.first?.message.holder == "h1:10:a")

            try withStore(to) { moved, other in
                let middle = try other.backend.openTransfer()
                defer { middle.close() }
                let copier = StoreCopier(source: original, destination: middle, scope: Self.scope, batchSize: 2)
                _ = try copier.copyAll()
                #expect(try Self.exportAll(middle) == records)
                let check = try copier.countCheck()
                #expect(check.matches)
                #expect(check.rows.map(\.table) == TransferTable.allCases)
                #expect(check.rows.map(\.destination) == [1, 0, 0, 0, 1, 1, 0, 1, 1, 2, 3])
                try withTestDatabase(from) { back in
                    let final = try back.backend.openTransfer()
                    defer { final.close() }
                    _ = try StoreCopier(source: middle, destination: final, scope: Self.scope).copyAll()
                    #expect(try Self.exportAll(final) == records)
                }

                // The destination carries on: the bot is free (its lease stayed behind), the
                // taken-over bot is not, the stream goes on from its push state, the waiting
                // message is sent and the one in flight is not sent again, and a new message takes
                // an id no copied one has.
                #expect(try moved.acquireConnection(botID: "aibWS", holder: "h3", now: Self.t0, lease: 30)
                        == .acquired(until: Self.t0 + 30))
                #expect(try moved.acquireConnection(botID: "default-bot", holder: "h3", now: Self.t0, lease: 30)
                        == .takenOver(at: Self.t0 - 5))
                let carried = try moved.longConnectionStreams(holder: "h3", windowStartedBefore: Self.t0 - 9, now: Self.t0)
                #expect(carried.map(\.reqID) == ["req-8"] && carried.first?.push.seq == 1)
                #expect(try moved.claimOutbound(holder: "h3", now: Self.t0, lease: 30, limit: 10).map(\.markdown)
                        == ["to u-waiting"])
                let inFlight = try #require(outbound.first?.message.id)
                #expect(try moved.outboundMessage(id: inFlight)?.errmsg == OutboundMessage.unknownOutcome)
                let next = try moved.queueOutbound(NewOutboundMessage(botID: "aibWS", target: .user("u"), markdown: "new"),
                                                   now: Self.t0)
                #expect(next > outbound.map(\.message.id).max() ?? 0)
            }
        }
    }
}
