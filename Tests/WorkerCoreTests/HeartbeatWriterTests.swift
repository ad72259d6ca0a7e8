import BotStore
import Foundation
import LogRecorder
import SQLiteStore
import Testing
@testable import WorkerCore

/// The worker's heartbeat row, kept by the progress writer: written at start, again once a period
/// has passed (not on every flush), deleted at a clean stop.
@Suite struct HeartbeatWriterTests {
    let worker = ConnectionHolder(host: "host-w", pid: 4242, nonce: "beef")

    func withStore(_ body: (SQLiteStore, String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("heartbeat-\(UUID().uuidString).sqlite3").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteStore(path: path)
        defer { store.close() }
        try store.migrate()
        try body(store, path)
    }

    @Test func beatsAtOnceThenOncePerPeriod() throws {
        try withStore { store, _ in
            let clock = TestClock(1_700_000_000)
            let busy = Counter()
            let writer = HeartbeatWriter(worker: worker, concurrency: 8, period: 5, logger: RecordedLog().logger,
                                         busy: { busy.value }, clock: { clock.now })
            writer.beatIfDue(on: store)
            #expect(try store.workerStatuses(now: 1_700_000_000) == [WorkerStatus(
                workerID: worker.id, host: "host-w", pid: 4242, concurrency: 8, busy: 0, period: 5,
                startedAt: 1_700_000_000, lastSeen: 1_700_000_000)])

            busy.value = 3
            clock.set(1_700_000_004.9)
            writer.beatIfDue(on: store)
            #expect(try store.workerStatuses(now: 1_700_000_004).first?.busy == 0, "within the period: no write")
            clock.set(1_700_000_005)
            writer.beatIfDue(on: store)
            let beat = try #require(try store.workerStatuses(now: 1_700_000_005).first)
            #expect(beat.busy == 3 && beat.lastSeen == 1_700_000_005 && beat.startedAt == 1_700_000_000)

            writer.remove(on: store)
            #expect(try store.workerStatuses(now: 1_700_000_005) == [])
        }
    }

    /// Through the progress writer: the row exists once `start` returns, and is gone once `stop` does.
    @Test func theProgressWriterKeepsTheRowFromStartToStop() throws {
        try withStore { store, path in
            let log = RecordedLog()
            let heartbeat = HeartbeatWriter(worker: worker, concurrency: 2, period: 5, logger: log.logger, busy: { 1 })
            let progress = ProgressWriter(store: try SQLiteStore(path: path), interval: 0.01, logger: log.logger,
                                          heartbeat: heartbeat)
            progress.start()
            let now = Int64(Date().timeIntervalSince1970)
            #expect(try store.workerStatuses(now: now).map(\.workerID) == [worker.id])
            #expect(try store.workerStatuses(now: now).first?.busy == 1)
            progress.stop()
            #expect(try store.workerStatuses(now: now) == [])
            #expect(log.lines.isEmpty)
        }
    }
}

/// A value a test sets and a closure reads from another thread.
final class Counter: @unchecked Sendable {
    // @unchecked: `stored` is only touched while holding `lock`.
    private let lock = NSLock()
    private var stored = 0

    var value: Int {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
