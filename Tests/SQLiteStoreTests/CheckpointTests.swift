import BotStore
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
}
