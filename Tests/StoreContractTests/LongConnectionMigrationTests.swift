import BotStore
import StoreTestSupport
import Testing
@testable import PostgresStore
@testable import SQLiteStore

/// The migration to long-connection mode (SQLite 6, PostgreSQL 2) keeps what the store held,
/// and the records of bots carry no secret into a log line or a test failure.
@Suite struct LongConnectionMigrationTests {
    let t0: Int64 = 1_700_000_000

    /// The version before long-connection mode.
    static func previousVersion(_ backend: Backend) -> Int { backend == .sqlite ? 5 : 1 }

    /// Migrates the store's schema to `version` only, as an older build left it.
    static func migrate(_ store: any TestStore, upTo version: Int) throws {
        switch store {
        case let sqlite as SQLiteStore: try sqlite.migrate(upTo: version)
        case let postgres as PostgresStore: try postgres.migrate(upTo: version)
        default: throw MissingRow(description: "a store of a known backend")
        }
    }

    @Test(arguments: Backend.allCases) func theRowsOfThePreviousVersionStayAndGainNoSecret(_ backend: Backend) throws {
        try withTestDatabase(backend, prepared: false) { database throws in
            let store = try database.openStore()
            defer { store.close() }
            try Self.migrate(store, upTo: Self.previousVersion(backend))
            #expect(try store.schemaVersion() == Self.previousVersion(backend))
            #expect(try store.scalarInt(backend.tableCountSQL(named: ["ws_connections", "ws_streams", "outbound_messages"])) == 0)
            let key = String(repeating: "k", count: 43)
            try store.execute("""
                INSERT INTO bots(botid, token, encoding_aes_key, receive_id, agent, bot_name, created_at)
                VALUES ('aibOld', 'tok', '\(key)', '', 'sales', 'Helper', \(t0))
                """)
            try store.completeJob(1, .done, queuedAt: t0, finishedAt: t0 + 5)
            try store.enqueue(2, at: t0 + 6)

            try database.backend.prepare()
            #expect(try store.schemaVersion() == backend.latestSchemaVersion)
            #expect(try store.bot(id: "aibOld") == BotRecord(botID: "aibOld", token: "tok", encodingAESKey: key,
                                                              agent: "sales", botName: "Helper", createdAt: t0))
            #expect(try store.stream(id: "s1")?.content == "answer 1")
            #expect(try store.count("jobs", where: "stream_id = 's2' AND state = 'queued'") == 1)
            #expect(try store.connectionStatuses(now: t0) == [], "a callback bot is no long-connection bot")

            // The new tables work on the migrated schema.
            _ = try store.acquireConnection(botID: "aibOld", holder: "A", now: t0, lease: 30)
            let id = try store.queueOutbound(NewOutboundMessage(botID: "aibOld", target: .user("u1"), markdown: "hi"), now: t0)
            #expect(try store.claimOutbound(holder: "A", now: t0, lease: 30, limit: 1).map(\.id) == [id])
            _ = try store.acceptMessage(.mockLongConnection(msgID: "m3", streamID: "s3", reqID: "r3", botID: "aibOld"), now: t0)
            #expect(try store.longConnectionStreams(holder: "A", windowStartedBefore: 0, now: t0).map(\.reqID) == ["r3"])
        }
    }

    @Test(arguments: Backend.allCases) func aBotsSecretRoundTripsAndItsDescriptionShowsNone(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let token = "tokenVALUE123", key = "encodingAESKEY" + String(repeating: "x", count: 29), secret = "ws-SECRET-987"
            let bot = BotRecord(botID: "aibBoth", token: token, encodingAESKey: key, receiveID: "corp", agent: "sales",
                                botName: "Helper", wsSecret: secret, createdAt: t0)
            try store.saveBot(bot)
            let wsOnly = BotRecord(botID: "aibWS", token: "", encodingAESKey: "", wsSecret: secret, createdAt: t0)
            try store.saveBot(wsOnly)
            #expect(try store.bot(id: "aibBoth") == bot)
            #expect(try store.bot(id: "aibWS") == wsOnly)
            #expect(bot.hasCallbackCredentials && bot.isLongConnection)
            #expect(!wsOnly.hasCallbackCredentials && wsOnly.isLongConnection)

            for record in try store.bots() {
                for text in [String(describing: record), String(reflecting: record), "\(record)"] {
                    #expect(!text.contains(token) && !text.contains(key) && !text.contains(secret), "\(record.botID)")
                    #expect(text.contains(record.botID) && text.contains("wsSecret: set"))
                }
            }
            #expect("\(bot)".contains("token: set") && "\(wsOnly)".contains("token: unset"))

            // Saving the bot without a secret takes it out of long-connection mode.
            var callbackOnly = bot
            callbackOnly.wsSecret = nil
            try store.saveBot(callbackOnly)
            #expect(try store.bot(id: "aibBoth")?.wsSecret == nil)
            #expect(try store.connectionStatuses(now: t0).map(\.botID) == ["aibWS"])
        }
    }
}
