import BotStore
import StoreTestSupport
import Testing
import WeComModel

/// Messages the bot sends first: queued by `wecomctl send`, claimed by the holder of the bot's
/// connection, their outcome recorded, withdrawn while still queued.
@Suite struct OutboundTests {
    let t0: Int64 = 1_700_000_000

    func queue(_ store: any TestStore, _ target: ChatTarget, bot: String = "bot-1", text: String = "hi",
               at now: Int64) throws -> Int64 {
        try store.queueOutbound(NewOutboundMessage(botID: bot, target: target, markdown: text), now: now)
    }

    @Test(arguments: Backend.allCases) func aQueuedMessageReadsBackAsQueued(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let id = try queue(store, .group("chat-9"), text: "**通知**：明天放假", at: t0)
            #expect(try store.outboundMessage(id: id) == OutboundMessage(
                id: id, botID: "bot-1", target: .group("chat-9"), markdown: "**通知**：明天放假", state: .queued, holder: nil,
                errcode: nil, errmsg: nil, createdAt: t0, updatedAt: t0, finishedAt: nil))
            #expect(try store.outboundMessage(id: id + 1) == nil)
            #expect(try store.count("outbound_messages", where: "chat_type = 2 AND chatid = 'chat-9' AND msgtype = 'markdown'")
                    == 1)
            #expect(try queue(store, .user("u1"), at: t0) > id)
        }
    }

    /// Oldest first, at most `limit`, only the bots the caller holds.
    @Test(arguments: Backend.allCases) func theHolderClaimsItsBotsMessagesOldestFirst(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            _ = try store.acquireConnection(botID: "bot-2", holder: "B", now: t0, lease: 1000)
            let ids = try [ChatTarget.user("u1"), .group("g1"), .user("u2")].map { try queue(store, $0, at: t0 + 1) }
            let other = try queue(store, .user("u9"), bot: "bot-2", at: t0 + 1)
            let unheld = try queue(store, .user("u8"), bot: "bot-3", at: t0 + 1)

            #expect(try store.claimOutbound(holder: "C", now: t0 + 2, lease: 30, limit: 10) == [])
            let first = try store.claimOutbound(holder: "A", now: t0 + 2, lease: 30, limit: 2)
            #expect(first.map(\.id) == Array(ids[0...1]))
            #expect(first.map(\.target) == [.user("u1"), .group("g1")])
            #expect(first.allSatisfy { $0.state == .sending && $0.holder == "A" && $0.updatedAt == t0 + 2 })
            #expect(try store.claimOutbound(holder: "A", now: t0 + 3, lease: 30, limit: 10).map(\.id) == [ids[2]])
            #expect(try store.claimOutbound(holder: "A", now: t0 + 4, lease: 30, limit: 10) == [])
            #expect(try store.claimOutbound(holder: "B", now: t0 + 4, lease: 30, limit: 10).map(\.id) == [other])
            #expect(try store.outboundMessage(id: unheld)?.state == .queued)
            #expect(try store.count("outbound_messages", where: "state = 'sending' AND claim_until = \(t0 + 32)") == 2)
        }
    }

    /// A process that lost the bot claims nothing more; its successor does not take the
    /// messages the first one is sending.
    @Test(arguments: Backend.allCases) func aMessageIsNeverHandedToTwoHolders(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            let sending = try queue(store, .user("u1"), at: t0)
            #expect(try store.claimOutbound(holder: "A", now: t0 + 1, lease: 60, limit: 10).map(\.id) == [sending])
            let waiting = try queue(store, .user("u2"), at: t0 + 2)
            _ = try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 31, lease: 30)

            #expect(try store.claimOutbound(holder: "A", now: t0 + 32, lease: 60, limit: 10) == [])
            #expect(try store.claimOutbound(holder: "B", now: t0 + 32, lease: 60, limit: 10).map(\.id) == [waiting])
            #expect(try store.outboundMessage(id: sending)?.holder == "A")
            // A still records what WeCom answered it: the message was A's to send.
            #expect(try store.recordOutboundOutcome(id: sending, holder: "A", outcome: .sent, now: t0 + 33))
            #expect(try store.outboundMessage(id: sending)?.state == .sent)
        }
    }

    /// Several connections of the same holder claim at once: each message goes out once.
    @Test(arguments: Backend.allCases) func concurrentClaimsTakeEachMessageOnce(_ backend: Backend) throws {
        try withTestDatabase(backend) { database throws in
            let setup = try database.openStore()
            defer { setup.close() }
            _ = try setup.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            for n in 1...20 { _ = try queue(setup, .user("u\(n)"), at: t0) }
            let claimed = Locked<[Int64]>([])
            let errors = Locked<[String]>([])
            let ready = Barrier(count: 4)
            runOnThreads(4) { _ in
                do {
                    let store = try database.openStore()
                    defer { store.close() }
                    ready.arriveAndWait()
                    while true {
                        let batch = try store.claimOutbound(holder: "A", now: t0 + 1, lease: 30, limit: 3)
                        if batch.isEmpty { break }
                        claimed.withLock { $0 += batch.map(\.id) }
                    }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
            #expect(errors.withLock { $0 } == [])
            let ids = claimed.withLock { $0 }
            #expect(ids.count == 20 && Set(ids).count == 20)
        }
    }

    @Test(arguments: Backend.allCases) func theOutcomeIsRecordedOnceByTheClaimsHolder(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            let sent = try queue(store, .user("u1"), at: t0)
            let refused = try queue(store, .group("g1"), at: t0)
            _ = try store.claimOutbound(holder: "A", now: t0 + 1, lease: 30, limit: 10)

            #expect(try !store.recordOutboundOutcome(id: sent, holder: "B", outcome: .sent, now: t0 + 2))
            #expect(try store.recordOutboundOutcome(id: sent, holder: "A", outcome: .sent, now: t0 + 2))
            #expect(try !store.recordOutboundOutcome(id: sent, holder: "A", outcome: .failed(errcode: 1, errmsg: "x"),
                                                     now: t0 + 3))
            #expect(try store.outboundMessage(id: sent) == OutboundMessage(
                id: sent, botID: "bot-1", target: .user("u1"), markdown: "hi", state: .sent, holder: "A", errcode: nil,
                errmsg: nil, createdAt: t0, updatedAt: t0 + 2, finishedAt: t0 + 2))

            #expect(try store.recordOutboundOutcome(id: refused, holder: "A",
                                                    outcome: .failed(errcode: 846607, errmsg: "rate limited"), now: t0 + 4))
            let failed = try #require(try store.outboundMessage(id: refused))
            #expect(failed.state == .failed && failed.errcode == 846607 && failed.errmsg == "rate limited")
            #expect(failed.finishedAt == t0 + 4 && failed.state.isFinal)
            #expect(try !store.recordOutboundOutcome(id: 999, holder: "A", outcome: .sent, now: t0 + 5))
            #expect(try store.count("outbound_messages", where: "claim_until IS NOT NULL") == 0)
        }
    }

    /// The sender died waiting for WeCom's answer: once the claim has run out the message is
    /// failed with an unknown outcome, never sent a second time.
    @Test(arguments: Backend.allCases) func anExpiredClaimFailsWithAnUnknownOutcome(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            let lost = try queue(store, .user("u1"), at: t0)
            #expect(try store.claimOutbound(holder: "A", now: t0, lease: 10, limit: 10).map(\.id) == [lost])
            #expect(try store.claimOutbound(holder: "A", now: t0 + 10, lease: 10, limit: 10) == [], "the claim covers its end")
            #expect(try store.outboundMessage(id: lost)?.state == .sending)

            // A dies; B takes the bot after A's lease, and finds the claim run out.
            _ = try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 31, lease: 30)
            let next = try queue(store, .user("u2"), at: t0 + 31)
            #expect(try store.claimOutbound(holder: "B", now: t0 + 31, lease: 10, limit: 10).map(\.id) == [next])
            #expect(try store.outboundMessage(id: lost) == OutboundMessage(
                id: lost, botID: "bot-1", target: .user("u1"), markdown: "hi", state: .failed, holder: "A", errcode: nil,
                errmsg: OutboundMessage.unknownOutcome, createdAt: t0, updatedAt: t0 + 31, finishedAt: t0 + 31))
            #expect(try !store.recordOutboundOutcome(id: lost, holder: "A", outcome: .sent, now: t0 + 32))
            #expect(try store.claimOutbound(holder: "B", now: t0 + 100, lease: 10, limit: 10).map(\.id) == [],
                    "B's own expired claim fails too, and nothing is resent")
            #expect(try store.outboundMessage(id: next)?.errmsg == OutboundMessage.unknownOutcome)
        }
    }

    @Test(arguments: Backend.allCases) func onlyAQueuedMessageCanBeCancelled(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let withdrawn = try queue(store, .user("u1"), at: t0)
            #expect(try store.cancelOutbound(id: withdrawn, now: t0 + 5))
            #expect(try !store.cancelOutbound(id: withdrawn, now: t0 + 6))
            let cancelled = try #require(try store.outboundMessage(id: withdrawn))
            #expect(cancelled.state == .cancelled && cancelled.finishedAt == t0 + 5 && cancelled.updatedAt == t0 + 5)

            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            let claimed = try queue(store, .user("u2"), at: t0 + 7)
            #expect(try store.claimOutbound(holder: "A", now: t0 + 8, lease: 30, limit: 10).map(\.id) == [claimed],
                    "the cancelled message is not sent")
            #expect(try !store.cancelOutbound(id: claimed, now: t0 + 9))
            #expect(try store.outboundMessage(id: claimed)?.state == .sending)
            #expect(try !store.cancelOutbound(id: 999, now: t0 + 9))
        }
    }
}
