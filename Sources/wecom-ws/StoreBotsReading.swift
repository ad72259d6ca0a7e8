import BotStore
import Foundation
import Metrics

/// `wecom_ws_store_bots`: every long-connection bot of the deployment by state, read from the
/// store at scrape time through a ``ThrottledStoreRead``, so that a scrape never waits behind
/// the sessions' store calls nor holds them up, and an operator's lock cannot hold it.
final class StoreBotsReading: Sendable {
    static let family = MetricFamily(
        name: "wecom_ws_store_bots",
        help: "Long-connection bots of the deployment, as the store has them: connected, disconnected or taken over.",
        kind: .gauge, labels: [MetricLabel("state", values: ["connected", "disconnected", "taken_over"])])

    private let reads: ThrottledStoreRead<[Double]>

    init(backend: any StoreBackend, interval: Duration = .seconds(1),
         unixNow: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        reads = ThrottledStoreRead(backend: backend, interval: interval) { store in
            var counts = [0.0, 0.0, 0.0]
            for bot in try store.connectionStatuses(now: unixNow()) {
                counts[bot.takenOverAt != nil ? 2 : bot.isConnected ? 0 : 1] += 1
            }
            return counts
        }
    }

    /// The last reading if it is younger than `interval`, else a fresh one; nil when the store
    /// cannot be read (the family is left out of the scrape rather than shown as zeros).
    func reading() -> FamilyReading? {
        (try? reads.current().get()).map { FamilyReading(gauge: Self.family, $0) }
    }
}
