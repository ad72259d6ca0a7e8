import BotStore
import Foundation
import LogRecorder
import SQLiteStore
import StoreTestSupport
import Testing

/// The SQLite backend as the executables see it: through the `StoreBackend` protocols only.
@Suite struct SQLiteBackendTests {
    /// A backend in a fresh folder (not created yet), removed afterwards.
    func withBackend<T>(_ body: (SQLiteBackend, String) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backend-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(SQLiteBackend(path: folder + "/db/bot.sqlite3", wakeDirectory: folder + "/run/wake"), folder)
    }

    @Test func prepareCreatesTheFolderAndTheSchemaOnce() throws {
        try withBackend { backend, _ in
            #expect(try !backend.exists())
            try backend.prepare()
            #expect(try backend.exists())
            try backend.prepare()  // idempotent
            let store = try backend.openStore()
            defer { store.close() }
            #expect(try store.schemaVersion() > 0)
        }
    }

    @Test func describesTheFileByItsAbsolutePath() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(SQLiteBackend(path: "var/./bot.sqlite3", wakeDirectory: "var/wake").description == cwd + "/var/bot.sqlite3")
        #expect(SQLiteBackend(path: "/srv/a/../bot.sqlite3", wakeDirectory: "/srv/wake").description == "/srv/bot.sqlite3")
    }

    /// A signal reaches each waiting worker once; the waiter's folder is created with its parents.
    @Test func theJobSignalWakesTheWaiter() throws {
        try withBackend { backend, _ in
            let signal = backend.makeJobSignal()
            signal.notifyWorkers()   // nobody listens yet: lost, as it may be
            let waiter = try backend.makeJobWaiter()
            #expect(!waiter.wait(timeout: 0), "a signal sent before the waiter existed does not reach it")
            signal.notifyWorkers()
            signal.notifyWorkers()
            #expect(waiter.wait(timeout: 10))
            #expect(!waiter.wait(timeout: 0), "both datagrams were consumed by the first wait")
            #expect(signal.description.contains(backend.wakeDirectory))
        }
    }

    /// The serving threads of a responder process commit through one group committer; stopping
    /// the process reports what it committed, once.
    @Test func aResponderProcessReportsItsGroupCommitsAtStop() throws {
        try withBackend { backend, _ in
            let log = RecordedLog()
            let process = try backend.startProcess(.responder(threads: 2), logger: log.logger)
            for (index, id) in ["m1", "m2"].enumerated() {
                let store = try process.openStore()
                defer { store.close() }
                _ = try store.acceptMessage(.mock(msgID: id, streamID: "s\(index)"), now: 1_700_000_000)
            }
            process.stop()
            process.stop()
            #expect(log.lines == [#"info group commit [(key: "messages", value: 2), (key: "transactions", value: 2)]"#])
        }
    }

    @Test func reclaimingSpaceTruncatesTheLog() throws {
        try withBackend { backend, _ in
            try backend.prepare()
            let store = try backend.openStore()
            defer { store.close() }
            for i in 0..<50 { _ = try store.acceptMessage(.mock(msgID: "m\(i)", streamID: "s\(i)"), now: 1_700_000_000) }
            #expect(try backend.reclaimSpace() == "WAL checkpoint: complete, log truncated")
            let wal = try FileManager.default.attributesOfItem(atPath: backend.path + "-wal")[.size] as? Int
            #expect(wal == 0)
        }
    }
}
