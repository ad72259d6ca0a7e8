import BotStore
import Foundation
import StoreTestSupport
import Synchronization
import Testing
@testable import SQLiteStore

/// Responders leave checkpoints to the workers: a raised auto-checkpoint on their
/// connections, a passive checkpoint from the worker side.
@Suite struct CheckpointTests {
    @Test func respondersRaiseTheAutoCheckpointAndWorkersCheckpointPassively() throws {
        try withTemporaryDatabase { path in
            let responder = try SQLiteStore(path: path, autoCheckpointPages: 8192)
            defer { responder.close() }
            try responder.migrate()
            #expect(try responder.scalarInt("PRAGMA wal_autocheckpoint") == 8192)
            for i in 0..<300 {
                _ = try responder.acceptMessage(.mock(msgID: "m\(i)", streamID: "s\(i)"), now: 1_700_000_000)
            }
            let worker = try SQLiteStore(path: path)
            defer { worker.close() }
            #expect(try worker.scalarInt("PRAGMA wal_autocheckpoint") == 1000)
            // The responder's commits did not checkpoint: the WAL still holds every frame.
            let passive = try worker.backgroundCheckpoint()
            #expect(passive.complete)
            #expect(passive.logPages > 1000, "past the default 1000-page auto-checkpoint, still unchecked")
            #expect(passive.checkpointedPages == passive.logPages)
        }
    }

    /// After copying the whole log, the background checkpoint restarts it itself (one page),
    /// so that no request's commit pays the fsync SQLite does when a WAL is reused.
    @Test func aCompleteBackgroundCheckpointRestartsTheLog() throws {
        try withTemporaryDatabase { path in
            let responder = try SQLiteStore(path: path, autoCheckpointPages: 8192)
            defer { responder.close() }
            try responder.migrate()
            for i in 0..<700 {
                _ = try responder.acceptMessage(.mock(msgID: "m\(i)", streamID: "s\(i)"), now: 1_700_000_000)
            }
            let checkpointer = try SQLiteStore(path: path)
            defer { checkpointer.close() }
            let first = try checkpointer.backgroundCheckpoint()
            #expect(first.complete && first.logPages >= 4096 && first.checkpointedPages == first.logPages)
            // The log now holds only the restarting commit's page.
            let second = try checkpointer.backgroundCheckpoint()
            #expect(second.logPages == 1, "log restarted by the checkpointer (\(second.logPages) pages)")
            #expect(try responder.scalarInt("PRAGMA user_version") == Int64(Schema.latestVersion), "the restarting write keeps the schema version")
            _ = try responder.acceptMessage(.mock(msgID: "after", streamID: "s-after"), now: 1_700_000_001)
            #expect(try responder.stream(id: "s-after") != nil)
        }
    }

    /// A short log is not restarted: checkpointing an idle database writes nothing.
    @Test func anIdleDatabaseIsNotWrittenByCheckpoints() throws {
        try withTemporaryDatabase { path in
            let store = try SQLiteStore(path: path, autoCheckpointPages: 8192)
            defer { store.close() }
            try store.migrate()
            _ = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1_700_000_000)
            let first = try store.backgroundCheckpoint()
            for _ in 0..<5 { _ = try store.backgroundCheckpoint() }
            let later = try store.backgroundCheckpoint()
            #expect(first.logPages > 0 && first.logPages < 4096)
            #expect(later.logPages == first.logPages, "no page was added to the log")
        }
    }

    /// Writers that never pause (three connections, as several responders flat out) leave no
    /// moment in which the log could restart by itself; the background checkpoint forces one past
    /// 12,288 pages, so the WAL file stays near its 64 MiB limit instead of growing without bound.
    @Test func theLogStaysBoundedUnderWritersThatNeverPause() throws {
        try withTemporaryDatabase { path in
            let setup = try SQLiteStore(path: path, autoCheckpointPages: 0)
            try setup.migrate()
            setup.close()
            let writersDone = Atomic<Int>(0)
            let failures = Locked<[String]>([])
            let finished = DispatchGroup()
            for writer in 0..<3 {
                finished.enter()
                Thread {
                    defer { writersDone.add(1, ordering: .releasing); finished.leave() }
                    do {
                        let store = try SQLiteStore(path: path, autoCheckpointPages: 0)
                        defer { store.close() }
                        for i in 0..<2500 {
                            _ = try store.acceptMessage(.mock(msgID: "w\(writer)-\(i)", streamID: "s\(writer)-\(i)"),
                                                        now: 1_700_000_000)
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }.start()
            }
            let checkpointer = try SQLiteStore(path: path)
            defer { checkpointer.close() }
            var largestWAL = 0
            while writersDone.load(ordering: .acquiring) < 3 {
                try checkpointer.backgroundCheckpoint()
                largestWAL = max(largestWAL, (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0)
                usleep(10_000)
            }
            finished.wait()
            #expect(failures.withLock { $0 } == [])
            #expect(try checkpointer.scalarInt("SELECT count(*) FROM jobs") == 7500)
            // 7,500 messages write about 60,000 pages (250 MB) of log, all of which stays in the file
            // when the log never restarts. Bounded, it stays near the 50 MB
            // threshold; the margin is for a loaded machine, where the checkpoint runs late (a
            // release build beside it took one run to 162 MB), and still well short of 250 MB.
            #expect(largestWAL <= 200 * 1024 * 1024, "WAL reached \(largestWAL / 1024 / 1024) MiB")
        }
    }
}
