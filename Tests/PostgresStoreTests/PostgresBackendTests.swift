import BotStore
import Logging
import PostgresStore
import StoreTestSupport
import Testing

/// The PostgreSQL backend as the executables see it: through the `StoreBackend` protocols.
@Suite struct PostgresBackendTests {
    /// A responder's connections fail fast (a lock wait of 2 s, a statement of 3 s); a worker's
    /// and wecomctl's wait as long as their work needs. Every connection works in the schema.
    @Test func aResponderProcessGivesConnectionsThatFailFast() throws {
        try withTaggedSchema { schema throws in
            let logger = Logger(label: "test")
            let responder = try schema.backend.startProcess(.responder(threads: 4), logger: logger)
            let worker = try schema.backend.startProcess(.worker, logger: logger)
            defer { responder.stop(); worker.stop() }
            let failFast = try #require(try responder.openStore() as? PostgresStore)
            let patient = try #require(try worker.openStore() as? PostgresStore)
            let tool = try #require(try schema.backend.openStore() as? PostgresStore)
            defer { failFast.close(); patient.close(); tool.close() }
            let inSchema = "current_schema() = '\(schema.settings.schema)'"
            #expect(try failFast.scalarInt(Self.limits(lock: "2s", statement: "3s") + " AND " + inSchema) == 1)
            for store in [patient, tool] {
                #expect(try store.scalarInt(Self.limits(lock: "0", statement: "0") + " AND " + inSchema) == 1)
            }
        }
    }

    /// 1 when the session's timeouts are these.
    static func limits(lock: String, statement: String) -> String {
        "SELECT count(*) WHERE current_setting('lock_timeout') = '\(lock)' AND current_setting('statement_timeout') = '\(statement)'"
    }

    @Test func reclaimingSpaceVacuumsThePurgedTables() throws {
        try withTaggedSchema { schema throws in
            let store = try schema.openStore()
            defer { store.close() }
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: hostNow())
            #expect(try schema.backend.reclaimSpace().hasPrefix("VACUUM (ANALYZE) streams, messages, stream_images, jobs: "))
            let vacuumed = """
                SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = '\(schema.settings.schema)'
                  AND relname IN ('streams', 'messages', 'stream_images', 'jobs') AND last_vacuum IS NOT NULL
                """
            #expect(try eventually { try store.scalarInt(vacuumed) == 4 })
        }
    }
}
