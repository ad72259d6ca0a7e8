import BotStore

/// The bots table as the intake and the callback handler read it: a row (or its absence) is
/// kept for the rest of the clock's second, so that a `wecomctl bots` change applies within a
/// second while a busy process reads the table at most once a second per bot. One instance per
/// store connection, shared by whatever reads rows through that connection.
public final class BotRows {
    private let store: BotStore
    private let now: () -> Int64
    private var cache: [String: (second: Int64, record: BotRecord?)] = [:]

    public init(store: BotStore, now: @escaping () -> Int64) {
        self.store = store
        self.now = now
    }

    /// The bots row of `id`, read again once the clock's second has changed.
    public func row(id: String) throws -> BotRecord? {
        let second = now()
        if let cached = cache[id], cached.second == second { return cached.record }
        let record = try store.bot(id: id)
        if cache.count >= 1024 { cache.removeAll() }
        cache[id] = (second, record)
        return record
    }
}

@available(*, unavailable) extension BotRows: Sendable {}
