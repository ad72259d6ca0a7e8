import BotStore
import StoreTestSupport
import Testing

/// Long-connection leases: one `wecom-ws` process holds each bot's connection, a standby takes
/// it when the lease ends or is given up, and a bot taken by a client outside the deployment is
/// connected by nobody until an operator clears the mark.
@Suite struct ConnectionLeaseTests {
    let t0: Int64 = 1_700_000_000

    /// The one status row of `botID`, as of `now`.
    func status(_ store: any TestStore, _ botID: String, now: Int64) throws -> ConnectionStatus? {
        try store.connectionStatuses(now: now).first { $0.botID == botID }
    }

    @Test(arguments: Backend.allCases) func aFreeBotIsAcquiredAndItsHolderMayAcquireAgain(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30) == .acquired(until: t0 + 30))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "A", now: t0 + 10, lease: 30)
                    == .acquired(until: t0 + 40))
            let held = try #require(try status(store, "bot-1", now: t0 + 10))
            #expect(held == ConnectionStatus(botID: "bot-1", holder: "A", leaseUntil: t0 + 40, leaseExpired: false,
                                             connected: false, since: nil, lastError: nil, lastErrorAt: nil,
                                             takenOverAt: nil, queuedOutbound: 0))
            #expect(held.isHeld && !held.isConnected)
            #expect(try store.count("ws_connections", where: "TRUE") == 1)
        }
    }

    /// A live lease of another holder is refused, up to and including its last second; an
    /// expired one is taken, and its old holder's writes change nothing from then on.
    @Test(arguments: Backend.allCases) func anotherHoldersLeaseIsRefusedUntilItExpires(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            #expect(try store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 1))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 5, lease: 30)
                    == .held(by: "A", until: t0 + 30))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 30, lease: 30)
                    == .held(by: "A", until: t0 + 30))
            #expect(try store.count("ws_connections", where: "holder = 'A' AND connected = 1") == 1,
                    "a refused standby writes nothing")

            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 31, lease: 30)
                    == .acquired(until: t0 + 61))
            // The new holder starts disconnected, from the moment it took over.
            #expect(try status(store, "bot-1", now: t0 + 31) == ConnectionStatus(
                botID: "bot-1", holder: "B", leaseUntil: t0 + 61, leaseExpired: false, connected: false, since: t0 + 31,
                lastError: nil, lastErrorAt: nil, takenOverAt: nil, queuedOutbound: 0))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "A", now: t0 + 32, lease: 30)
                    == .held(by: "B", until: t0 + 61))

            #expect(try !store.renewConnection(botID: "bot-1", holder: "A", now: t0 + 32, lease: 30))
            #expect(try !store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 32))
            #expect(try !store.recordDisconnected(botID: "bot-1", holder: "A", error: "late", now: t0 + 32))
            #expect(try !store.markTakenOver(botID: "bot-1", holder: "A", now: t0 + 32))
            #expect(try !store.releaseConnection(botID: "bot-1", holder: "A", now: t0 + 32))
            #expect(try status(store, "bot-1", now: t0 + 32) == ConnectionStatus(
                botID: "bot-1", holder: "B", leaseUntil: t0 + 61, leaseExpired: false, connected: false, since: t0 + 31,
                lastError: nil, lastErrorAt: nil, takenOverAt: nil, queuedOutbound: 0))
        }
    }

    @Test(arguments: Backend.allCases) func renewalMovesTheLeaseOnlyForItsHolder(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            #expect(try store.renewConnection(botID: "bot-1", holder: "A", now: t0 + 20, lease: 30))
            #expect(try status(store, "bot-1", now: t0 + 20)?.leaseUntil == t0 + 50)
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 45, lease: 30)
                    == .held(by: "A", until: t0 + 50))

            // A holder that stalled past its lease, which nobody took meanwhile, keeps the bot.
            #expect(try status(store, "bot-1", now: t0 + 100)?.leaseExpired == true)
            #expect(try status(store, "bot-1", now: t0 + 100)?.isHeld == false)
            #expect(try store.renewConnection(botID: "bot-1", holder: "A", now: t0 + 100, lease: 30))
            #expect(try status(store, "bot-1", now: t0 + 100)?.leaseExpired == false)
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 101, lease: 30)
                    == .held(by: "A", until: t0 + 130))

            #expect(try !store.renewConnection(botID: "bot-2", holder: "A", now: t0, lease: 30), "no row at all")
            #expect(try store.count("ws_connections", where: "botid = 'bot-2'") == 0)
        }
    }

    /// `since` changes only when `connected` does; an error report replaces the last error, a
    /// report without one keeps it.
    @Test(arguments: Backend.allCases) func connectedAndDisconnectedReportsKeepTheirSince(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 1000)
            func expectStatus(connected: Bool, since: Int64?, lastError: String?, at lastErrorAt: Int64?,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
                let found = try status(store, "bot-1", now: t0 + 100)
                #expect(found?.connected == connected && found?.since == since && found?.lastError == lastError
                        && found?.lastErrorAt == lastErrorAt, "\(String(describing: found))", sourceLocation: sourceLocation)
            }
            try expectStatus(connected: false, since: nil, lastError: nil, at: nil)

            #expect(try store.recordDisconnected(botID: "bot-1", holder: "A", error: "subscription refused: 853000",
                                                 now: t0 + 1))
            try expectStatus(connected: false, since: t0 + 1, lastError: "subscription refused: 853000", at: t0 + 1)
            #expect(try store.recordDisconnected(botID: "bot-1", holder: "A", error: "connection refused", now: t0 + 5))
            try expectStatus(connected: false, since: t0 + 1, lastError: "connection refused", at: t0 + 5)

            #expect(try store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 10))
            try expectStatus(connected: true, since: t0 + 10, lastError: "connection refused", at: t0 + 5)
            #expect(try store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 20))
            try expectStatus(connected: true, since: t0 + 10, lastError: "connection refused", at: t0 + 5)
            #expect(try status(store, "bot-1", now: t0 + 20)?.isConnected == true)

            #expect(try store.recordDisconnected(botID: "bot-1", holder: "A", error: nil, now: t0 + 30))
            try expectStatus(connected: false, since: t0 + 30, lastError: "connection refused", at: t0 + 5)
            #expect(try store.recordDisconnected(botID: "bot-1", holder: "A", error: "two pings unanswered", now: t0 + 40))
            try expectStatus(connected: false, since: t0 + 30, lastError: "two pings unanswered", at: t0 + 40)
        }
    }

    /// `disconnected_event`: the holder marks the bot and gives it up; nobody acquires it until
    /// `wecomctl bots reconnect` clears the mark. A process that no longer holds the bot marks
    /// nothing (the event then came from this deployment's own new holder).
    @Test(arguments: Backend.allCases) func aTakenOverBotIsAcquiredByNobodyUntilTheMarkIsCleared(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            #expect(try store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 1))
            #expect(try !store.markTakenOver(botID: "bot-1", holder: "B", now: t0 + 2))
            #expect(try status(store, "bot-1", now: t0 + 2)?.takenOverAt == nil)

            #expect(try store.markTakenOver(botID: "bot-1", holder: "A", now: t0 + 3))
            #expect(try status(store, "bot-1", now: t0 + 3) == ConnectionStatus(
                botID: "bot-1", holder: nil, leaseUntil: nil, leaseExpired: false, connected: false, since: t0 + 3,
                lastError: nil, lastErrorAt: nil, takenOverAt: t0 + 3, queuedOutbound: 0))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "A", now: t0 + 4, lease: 30) == .takenOver(at: t0 + 3))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 500, lease: 30)
                    == .takenOver(at: t0 + 3))
            #expect(try !store.renewConnection(botID: "bot-1", holder: "A", now: t0 + 4, lease: 30))
            #expect(try !store.markTakenOver(botID: "bot-1", holder: "A", now: t0 + 5), "no longer the holder")

            #expect(try store.clearTakenOver(botID: "bot-1", now: t0 + 600))
            #expect(try !store.clearTakenOver(botID: "bot-1", now: t0 + 601), "not marked any more")
            #expect(try !store.clearTakenOver(botID: "nobody", now: t0 + 601))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 602, lease: 30)
                    == .acquired(until: t0 + 632))
            #expect(try status(store, "bot-1", now: t0 + 602)?.takenOverAt == nil)
        }
    }

    /// A clean stop gives the bot up: a standby acquires it at once instead of after the lease.
    @Test(arguments: Backend.allCases) func aReleasedBotIsAcquiredAtOnce(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            _ = try store.acquireConnection(botID: "bot-1", holder: "A", now: t0, lease: 30)
            #expect(try store.recordConnected(botID: "bot-1", holder: "A", now: t0 + 1))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 2, lease: 30)
                    == .held(by: "A", until: t0 + 30))
            #expect(try !store.releaseConnection(botID: "bot-1", holder: "B", now: t0 + 3))
            #expect(try store.releaseConnection(botID: "bot-1", holder: "A", now: t0 + 3))
            #expect(try status(store, "bot-1", now: t0 + 3) == ConnectionStatus(
                botID: "bot-1", holder: nil, leaseUntil: nil, leaseExpired: false, connected: false, since: t0 + 3,
                lastError: nil, lastErrorAt: nil, takenOverAt: nil, queuedOutbound: 0))
            #expect(try !store.releaseConnection(botID: "bot-1", holder: "A", now: t0 + 4))
            #expect(try store.acquireConnection(botID: "bot-1", holder: "B", now: t0 + 4, lease: 30)
                    == .acquired(until: t0 + 34))
        }
    }

    /// Many standbys on their own connections ask at once: exactly one gets the bot.
    @Test(arguments: Backend.allCases) func concurrentAcquisitionsGiveTheBotToOne(_ backend: Backend) throws {
        try withTestDatabase(backend) { database throws in
            let results = Locked<[ConnectionLease]>([])
            let errors = Locked<[String]>([])
            let ready = Barrier(count: 4)
            runOnThreads(4) { index in
                do {
                    let store = try database.openStore()
                    defer { store.close() }
                    ready.arriveAndWait()
                    let lease = try store.acquireConnection(botID: "bot-1", holder: "H\(index)", now: t0, lease: 30)
                    results.withLock { $0.append(lease) }
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
            #expect(errors.withLock { $0 } == [])
            let leases = results.withLock { $0 }
            let winners = leases.filter { $0 == .acquired(until: t0 + 30) }
            #expect(leases.count == 4 && winners.count == 1)
            let store = try database.openStore()
            defer { store.close() }
            let holder = try #require(try status(store, "bot-1", now: t0)?.holder)
            #expect(leases.filter { $0 == .held(by: holder, until: t0 + 30) }.count == 3)
        }
    }

    /// Bots rows with a long-connection secret, lease rows of bots without one (the default bot
    /// of `WECOM_BOT_ID`), and bots with messages waiting (the default bot before any process held
    /// it); callback-only bots are not listed. Messages waiting to be sent are counted per bot.
    @Test(arguments: Backend.allCases) func statusesListLongConnectionBotsAndLeaseRows(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.saveBot(BotRecord(botID: "aibCB", token: "tok", encodingAESKey: "key", createdAt: t0))
            try store.saveBot(BotRecord(botID: "aibWS", token: "", encodingAESKey: "", wsSecret: "s1", createdAt: t0))
            try store.saveBot(BotRecord(botID: "aibBoth", token: "tok", encodingAESKey: "key", wsSecret: "s2", createdAt: t0))
            _ = try store.acquireConnection(botID: "aibBoth", holder: "host-a:12:n1", now: t0, lease: 30)
            #expect(try store.recordConnected(botID: "aibBoth", holder: "host-a:12:n1", now: t0 + 1))
            _ = try store.acquireConnection(botID: "default-bot", holder: "host-b:34:n2", now: t0, lease: 10)
            #expect(try store.recordDisconnected(botID: "default-bot", holder: "host-b:34:n2", error: "TLS handshake failed",
                                                 now: t0 + 2))
            for n in 1...2 {
                _ = try store.queueOutbound(NewOutboundMessage(botID: "aibWS", target: .user("u\(n)"), markdown: "hi"),
                                            now: t0)
            }
            _ = try store.queueOutbound(NewOutboundMessage(botID: "aibQueued", target: .group("g1"), markdown: "hi"), now: t0)

            let statuses = try store.connectionStatuses(now: t0 + 20)
            #expect(statuses == [
                ConnectionStatus(botID: "aibBoth", holder: "host-a:12:n1", leaseUntil: t0 + 30, leaseExpired: false,
                                 connected: true, since: t0 + 1, lastError: nil, lastErrorAt: nil, takenOverAt: nil,
                                 queuedOutbound: 0),
                ConnectionStatus(botID: "aibQueued", holder: nil, leaseUntil: nil, leaseExpired: false, connected: false,
                                 since: nil, lastError: nil, lastErrorAt: nil, takenOverAt: nil, queuedOutbound: 1),
                ConnectionStatus(botID: "aibWS", holder: nil, leaseUntil: nil, leaseExpired: false, connected: false,
                                 since: nil, lastError: nil, lastErrorAt: nil, takenOverAt: nil, queuedOutbound: 2),
                ConnectionStatus(botID: "default-bot", holder: "host-b:34:n2", leaseUntil: t0 + 10, leaseExpired: true,
                                 connected: false, since: t0 + 2, lastError: "TLS handshake failed", lastErrorAt: t0 + 2,
                                 takenOverAt: nil, queuedOutbound: 0),
            ])
            #expect(statuses.map(\.isConnected) == [true, false, false, false])
            #expect(statuses.map(\.isHeld) == [true, false, false, false])
            #expect(ConnectionHolder(id: statuses[0].holder ?? "")?.description == "host-a (pid 12)")
        }
    }

    /// Removing a bot forgets its connection row: its holder's next renewal fails.
    @Test(arguments: Backend.allCases) func removingABotForgetsItsConnection(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            try store.saveBot(BotRecord(botID: "aibWS", token: "", encodingAESKey: "", wsSecret: "s1", createdAt: t0))
            try store.saveBot(BotRecord(botID: "aibOther", token: "", encodingAESKey: "", wsSecret: "s2", createdAt: t0))
            for bot in ["aibWS", "aibOther"] { _ = try store.acquireConnection(botID: bot, holder: "A", now: t0, lease: 30) }
            #expect(try store.removeBot(id: "aibWS"))
            #expect(try !store.renewConnection(botID: "aibWS", holder: "A", now: t0 + 1, lease: 30))
            #expect(try store.renewConnection(botID: "aibOther", holder: "A", now: t0 + 1, lease: 30))
            #expect(try store.connectionStatuses(now: t0 + 1).map(\.botID) == ["aibOther"])
            #expect(try !store.removeBot(id: "aibWS"))
        }
    }
}

@Suite struct ConnectionHolderTests {
    @Test func anIDRoundTripsAndAHostMayHoldColons() {
        let holder = ConnectionHolder(host: "fe80::1", pid: 4242, nonce: "x9")
        #expect(holder.id == "fe80::1:4242:x9")
        #expect(ConnectionHolder(id: holder.id) == holder)
        #expect(holder.description == "fe80::1 (pid 4242)")
        #expect(ConnectionHolder(id: "host:notapid:n") == nil)
        #expect(ConnectionHolder(id: "justahost") == nil)
    }
}
