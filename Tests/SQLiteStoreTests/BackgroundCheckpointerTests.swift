import BotStore
import Foundation
import Logging
@testable import SQLiteStore
import Testing

/// The checkpointing thread copies a writer's WAL back while the writer never checkpoints.
@Suite struct BackgroundCheckpointerTests {
    @Test func theWALIsCopiedBackWithoutTheWriterCheckpointing() throws {
        let path = NSTemporaryDirectory() + "checkpointer-\(UUID().uuidString).sqlite3"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let writer = try SQLiteStore(path: path, autoCheckpointPages: 0)  // never checkpoints by itself
        defer { writer.close() }
        try writer.migrate()
        let checkpointer = BackgroundCheckpointer(store: try SQLiteStore(path: path), interval: 0.05,
                                                  logger: Logger(label: "test"))
        checkpointer.start()
        for i in 0..<200 {
            try writer.saveBot(BotRecord(botID: "bot\(i)", token: "t", encodingAESKey: String(repeating: "k", count: 43)))
        }
        let databaseSizeBefore = try fileSize(path)
        // The background thread checkpoints on its own; wait (bounded) until the database file grew.
        let deadline = Date().addingTimeInterval(10)
        while try fileSize(path) == databaseSizeBefore, Date() < deadline { usleep(10_000) }
        checkpointer.stop()
        #expect(try fileSize(path) > databaseSizeBefore, "the WAL's pages reached the database file")
        let check = try SQLiteStore(path: path)
        defer { check.close() }
        let remaining = try check.backgroundCheckpoint()
        #expect(remaining.complete && remaining.checkpointedPages == remaining.logPages)
        #expect(try check.bots().count == 200)
    }

    @Test func stopReturnsPromptlyWithALongInterval() throws {
        let path = NSTemporaryDirectory() + "checkpointer-\(UUID().uuidString).sqlite3"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteStore(path: path)
        try store.migrate()
        let checkpointer = BackgroundCheckpointer(store: store, interval: 3600, logger: Logger(label: "test"))
        checkpointer.start()
        checkpointer.stop()  // would hang for an hour if stop did not wake the thread
        store.close()
    }

    private func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }
}
