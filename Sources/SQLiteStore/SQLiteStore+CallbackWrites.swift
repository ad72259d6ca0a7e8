import BotStore

extension SQLiteStore {
    /// Runs a write of the callback path so that WeCom gets its answer in time: every wait for a
    /// lock ends ``callbackWait`` after the call (`body` gets that instant, for the group
    /// committer), and a failure that passes becomes ``StoreError/unavailable(_:)`` naming its
    /// cause and how long the write tried. Nothing was stored then: the transaction rolled back.
    func callbackWrite<T>(_ body: (ContinuousClock.Instant) throws -> T) throws -> T {
        let start = ContinuousClock.now
        let deadline = start + callbackWait
        do {
            return try connection.waitingForLocks(until: deadline) { try body(deadline) }
        } catch let error as SQLiteError {
            guard let cause = error.unavailableCause else { throw error }
            throw StoreError.unavailable("\(cause) after \(Self.seconds(start.duration(to: .now))) s")
        }
    }

    /// `duration` in seconds with one decimal, rounded down ("2.0").
    static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
