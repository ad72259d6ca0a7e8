import BotStore
import CSQLite
import Testing
@testable import SQLiteStore

/// The callback path's writes give up when the store cannot take them in time, with
/// `StoreError.unavailable` naming the cause; nothing is stored then, and the same message
/// delivered again once the store is free is stored once. The lock is held by a second
/// connection with `BEGIN IMMEDIATE`, as an operator's `sqlite3` shell holds it.
@Suite struct CallbackWaitTests {
    /// The cause in a `StoreError.unavailable`, or nil for any other outcome.
    func unavailableCause(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let StoreError.unavailable(cause) {
            return cause
        } catch {
            return nil
        }
    }

    /// Runs `body` with a store that waits 200 ms on the callback path, on a fresh database
    /// whose write lock a second connection (the other argument) holds.
    func whileAnotherConnectionHoldsTheWriteLock(_ body: (SQLiteStore, SQLiteStore) throws -> Void) throws {
        try withMigratedStore { _, path throws in
            let store = try SQLiteStore(path: path, callbackWait: .milliseconds(200))
            defer { store.close() }
            try withWriteLockHeld(on: path) { holder throws in try body(store, holder) }
        }
    }

    @Test func aMessageGivesUpWhileAnotherConnectionHoldsTheWriteLock() throws {
        try whileAnotherConnectionHoldsTheWriteLock { store, holder throws in
            let cause = unavailableCause { _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 10) }
            #expect(cause?.hasPrefix("database is locked (another connection holds the write lock) after ") == true,
                    "\(cause ?? "no StoreError.unavailable")")
            #expect(try store.stream(id: "s1") == nil, "reads go on while the lock is held")

            try holder.execute("ROLLBACK")
            #expect(try store.acceptMessage(.mock(msgID: "m1", streamID: "s2"), now: 11).isNew)
            #expect(try !store.acceptMessage(.mock(msgID: "m1", streamID: "s3"), now: 12).isNew)
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 1)
        }
    }

    @Test func anEventGivesUpWhileAnotherConnectionHoldsTheWriteLock() throws {
        try whileAnotherConnectionHoldsTheWriteLock { store, holder throws in
            let cause = unavailableCause { try store.recordEvent(.mockFeedback(msgID: "e1"), now: 10) }
            #expect(cause?.hasPrefix("database is locked (another connection holds the write lock) after ") == true,
                    "\(cause ?? "no StoreError.unavailable")")

            try holder.execute("ROLLBACK")
            #expect(try store.recordEvent(.mockFeedback(msgID: "e1"), now: 11))
            #expect(try !store.recordEvent(.mockFeedback(msgID: "e1"), now: 12))
        }
    }

    /// A full database (here: `max_page_count` reached) passes too once space is freed.
    @Test func aFullDatabaseIsUnavailable() throws {
        try withMigratedStore { store, _ throws in
            let pages = try #require(try store.scalarInt("PRAGMA page_count"))
            try store.execute("PRAGMA max_page_count = \(pages)")
            let large = String(repeating: "长", count: 100_000)
            let cause = unavailableCause {
                _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1", initialContent: large), now: 10)
            }
            #expect(cause?.hasPrefix("database or disk is full (no space left for the write) after ") == true,
                    "\(cause ?? "no StoreError.unavailable")")
            #expect(try store.scalarInt("SELECT count(*) FROM messages") == 0)
        }
    }

    /// Which SQLite failures pass (503) and which do not (500).
    @Test func theFailuresThatPass() {
        func cause(_ code: Int32, _ message: String) -> String? {
            SQLiteError(code: code, message: message).unavailableCause
        }
        // The extended codes as sqlite3.h defines them (Swift does not import those macros).
        let SQLITE_BUSY_SNAPSHOT = SQLITE_BUSY | 2 << 8, SQLITE_IOERR_WRITE = SQLITE_IOERR | 3 << 8
        let SQLITE_LOCKED_SHAREDCACHE = SQLITE_LOCKED | 1 << 8, SQLITE_READONLY_DBMOVED = SQLITE_READONLY | 4 << 8
        let SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT | 8 << 8
        #expect(cause(SQLITE_BUSY, "database is locked") == "database is locked (another connection holds the write lock)")
        #expect(cause(SQLITE_BUSY_SNAPSHOT, "database is locked") == "database is locked (another connection holds the write lock)")
        #expect(cause(SQLITE_IOERR_WRITE, "disk I/O error")
                == "disk I/O error (the database files could not be read or written, extended code \(SQLITE_IOERR_WRITE))")
        #expect(cause(SQLITE_CANTOPEN, "unable to open database file")
                == "unable to open database file (a database file could not be opened, extended code \(SQLITE_CANTOPEN))")
        #expect(cause(SQLITE_FULL, "database or disk is full") == "database or disk is full (no space left for the write)")
        #expect(cause(SQLITE_PROTOCOL, "locking protocol") == "locking protocol (the race for the WAL locks kept failing)")
        for code in [SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE, SQLITE_READONLY_DBMOVED, SQLITE_CORRUPT, SQLITE_NOTADB,
                     SQLITE_CONSTRAINT_UNIQUE, SQLITE_NOMEM, SQLITE_ERROR] {
            #expect(cause(code, "x") == nil, "code \(code)")
        }
    }

    @Test func secondsAreShownWithOneDecimalRoundedDown() {
        #expect(SQLiteStore.seconds(.milliseconds(2_049)) == "2.0")
        #expect(SQLiteStore.seconds(.milliseconds(150)) == "0.1")
        #expect(SQLiteStore.seconds(.zero) == "0.0")
    }
}
