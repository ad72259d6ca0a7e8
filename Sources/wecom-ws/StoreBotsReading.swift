import BotStore
import Foundation
import Metrics

/// `wecom_ws_store_bots`: every long-connection bot of the deployment by state, read from the
/// store at scrape time, at most once per `interval` (scrapers may come often). It reads on a
/// connection of its own, opened at the first scrape and again after an error, so that a scrape
/// never waits behind the sessions' store calls nor holds them up.
final class StoreBotsReading: @unchecked Sendable {
    // @unchecked: `store` and `last` are only touched with `lock` held.
    static let family = MetricFamily(
        name: "wecom_ws_store_bots",
        help: "Long-connection bots of the deployment, as the store has them: connected, disconnected or taken over.",
        kind: .gauge, labels: [MetricLabel("state", values: ["connected", "disconnected", "taken_over"])])

    private let lock = NSLock()
    private let open: () throws -> any BotStore
    private let interval: Duration
    private let clock: () -> ContinuousClock.Instant
    private let unixNow: () -> Int64
    private var store: (any BotStore)?
    private var last: (at: ContinuousClock.Instant, reading: FamilyReading?)?

    init(open: @escaping () throws -> any BotStore, interval: Duration = .seconds(1),
         clock: @escaping () -> ContinuousClock.Instant = { .now },
         unixNow: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.open = open
        self.interval = interval
        self.clock = clock
        self.unixNow = unixNow
    }

    deinit { store?.close() }

    /// The last reading if it is younger than `interval`, else a fresh one; nil when the store
    /// cannot be read (the family is left out of the scrape rather than shown as zeros).
    func reading() -> FamilyReading? {
        lock.lock()
        defer { lock.unlock() }
        let time = clock()
        if let last, time - last.at < interval { return last.reading }
        let reading = read()
        last = (time, reading)
        return reading
    }

    private func read() -> FamilyReading? {
        do {
            let store = try self.store ?? open()
            self.store = store
            var counts = [0.0, 0.0, 0.0]
            for bot in try store.connectionStatuses(now: unixNow()) {
                counts[bot.takenOverAt != nil ? 2 : bot.isConnected ? 0 : 1] += 1
            }
            return FamilyReading(gauge: Self.family, counts)
        } catch {
            store?.close()
            store = nil
            return nil
        }
    }
}
