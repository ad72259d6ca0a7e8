/// Copies the records of one store into another (`wecomctl store copy`): bots, agents,
/// conversations, feedback, then the streams in ``TransferScope``, each kind in batches in key
/// order, each batch one write transaction in the destination.
///
/// Running it again after an interruption finishes the job: a record the destination already
/// holds with the same values is passed over, so nothing is written twice. A record the
/// destination holds with other values stops the copy with ``TransferConflict`` (the copy is
/// meant for an empty destination, or one that an earlier run of the same copy filled); so does
/// a clash with another of its unique keys. Nothing else may write to either store meanwhile:
/// responders and workers are stopped first.
public struct StoreCopier {
    /// How far the copy of one kind has come.
    public struct Progress: Sendable, Equatable {
        public var kind: TransferKind
        /// Records of `kind` done so far (inserted or found already there).
        public var done: Int
        /// Records of `kind` in the source when the copy started.
        public var total: Int
    }

    /// What the copy of one kind did.
    public struct Tally: Sendable, Equatable {
        public var inserted = 0
        /// Found in the destination with the same values (an earlier, interrupted run copied them).
        public var alreadyThere = 0

        public init(inserted: Int = 0, alreadyThere: Int = 0) {
            self.inserted = inserted; self.alreadyThere = alreadyThere
        }

        public var done: Int { inserted + alreadyThere }
    }

    /// The rows of each table a copy takes, in the source and in the destination.
    public struct CountCheck: Sendable, Equatable {
        public struct Row: Sendable, Equatable {
            public var table: TransferTable
            public var source: Int
            public var destination: Int
        }

        /// Every table, in ``TransferTable`` order.
        public var rows: [Row]

        public var matches: Bool { rows.allSatisfy { $0.source == $0.destination } }
    }

    public let source: any StoreTransfer
    public let destination: any StoreTransfer
    public let scope: TransferScope
    /// Records per batch (and per write transaction in the destination).
    public let batchSize: Int

    public init(source: any StoreTransfer, destination: any StoreTransfer, scope: TransferScope, batchSize: Int = 500) {
        self.source = source
        self.destination = destination
        self.scope = scope
        self.batchSize = max(1, batchSize)
    }

    /// Copies every kind in ``TransferKind`` order; `progress` hears of each batch, and may
    /// throw to stop the copy (what was committed stays).
    public func copyAll(progress: (Progress) throws -> Void = { _ in }) throws -> [TransferKind: Tally] {
        let totals = try source.transferCounts(scope: scope)
        var tallies: [TransferKind: Tally] = [:]
        for kind in TransferKind.allCases {
            tallies[kind] = try copy(kind, total: totals[kind.table] ?? 0, progress: progress)
        }
        return tallies
    }

    /// Copies the records of `kind`; `total` is only reported back through `progress`.
    public func copy(_ kind: TransferKind, total: Int, progress: (Progress) throws -> Void = { _ in }) throws -> Tally {
        var tally = Tally()
        var after: TransferKey?
        while true {
            let batch = try source.exportRecords(kind, scope: scope, after: after, limit: batchSize)
            guard let last = batch.last else { break }
            let stored = Dictionary(try destination.storedRecords(kind, keys: batch.map(\.key)).map { ($0.key, $0) },
                                    uniquingKeysWith: { first, _ in first })
            var fresh: [TransferRecord] = []
            for record in batch {
                guard let existing = stored[record.key] else {
                    fresh.append(record)
                    continue
                }
                guard existing == record else {
                    throw TransferConflict(kind: kind, key: record.key,
                                           detail: "the destination already holds other values under this key")
                }
                tally.alreadyThere += 1
            }
            if !fresh.isEmpty { try destination.insertRecords(fresh) }
            tally.inserted += fresh.count
            after = last.key
            try progress(Progress(kind: kind, done: tally.done, total: total))
            if batch.count < batchSize { break }
        }
        return tally
    }

    /// The rows each table holds within the scope, in the source and in the destination. After a
    /// complete copy into an empty destination they are equal; a destination that held other
    /// rows (another bot, an agent the source lacks) shows more.
    public func countCheck() throws -> CountCheck {
        let inSource = try source.transferCounts(scope: scope)
        let inDestination = try destination.transferCounts(scope: scope)
        return CountCheck(rows: TransferTable.allCases.map {
            CountCheck.Row(table: $0, source: inSource[$0] ?? 0, destination: inDestination[$0] ?? 0)
        })
    }
}
