import BotStore
import StoreTestSupport
import Testing

/// Creating and migrating the schema through the backend, as every process does at start.
@Suite struct MigrationTests {
    @Test(arguments: Backend.allCases) func prepareTwiceIsIdempotent(_ backend: Backend) throws {
        try withStore(backend) { store, database throws in
            let tables = try store.scalarInt(backend.tableCountSQL())
            try database.backend.prepare()
            #expect(try store.schemaVersion() == backend.latestSchemaVersion)
            #expect(try store.scalarInt(backend.tableCountSQL()) == tables)
            #expect(try store.scalarInt(backend.tableCountSQL(named: Backend.storeTables)) == 8)
        }
    }

    @Test(arguments: Backend.allCases) func anEmptyDatabaseIsAtVersionZeroUntilPrepared(_ backend: Backend) throws {
        try withTestDatabase(backend, prepared: false) { database throws in
            #expect(try !database.backend.exists())
            try database.backend.prepare()
            #expect(try database.backend.exists())
            let store = try database.openStore()
            defer { store.close() }
            #expect(try store.schemaVersion() == backend.latestSchemaVersion)
        }
    }

    /// Processes (or hosts) starting together on a new database: one creates the schema, the
    /// others find it made, none fails.
    @Test(arguments: Backend.allCases) func simultaneousFirstStartsAllSucceed(_ backend: Backend) throws {
        try withTestDatabase(backend, prepared: false) { database throws in
            let errors = Locked<[String]>([])
            let ready = Barrier(count: 4)
            runOnThreads(4) { _ in
                ready.arriveAndWait()
                do {
                    try database.backend.prepare()
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
            #expect(errors.withLock { $0 } == [])
            let store = try database.openStore()
            defer { store.close() }
            #expect(try store.schemaVersion() == backend.latestSchemaVersion)
            #expect(try store.scalarInt(backend.tableCountSQL(named: Backend.storeTables)) == 8)
        }
    }

    @Test(arguments: Backend.allCases) func newerSchemaIsRefusedAndLeftUntouched(_ backend: Backend) throws {
        try withStore(backend) { store, database throws in
            try store.execute(backend.setSchemaVersionSQL(99))
            let tables = try store.scalarInt(backend.tableCountSQL())
            #expect(throws: StoreError.schemaTooNew(found: 99, supported: backend.latestSchemaVersion)) {
                try database.backend.prepare()
            }
            #expect(try store.schemaVersion() == 99)
            #expect(try store.scalarInt(backend.tableCountSQL()) == tables)
        }
    }

    @Test(arguments: Backend.allCases) func aClosedStoreThrowsInsteadOfCrashing(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            store.close()
            store.close()
            #expect(throws: (any Error).self) { try store.stream(id: "s1") }
            #expect(throws: (any Error).self) { try store.execute("SELECT 1") }
        }
    }
}
