/// Reading and writing whole records for a move from one store to another (`wecomctl store
/// copy`), beside ``BotStore``: only the copy needs it, and both backends implement it.
///
/// Records come out in key order, a batch at a time, each batch starting after the last key of
/// the one before, and go in with their keys and times as they were. ``StoreCopier`` drives it.
/// A connection from ``StoreBackend/openTransfer()``, used by one thread at a time.
public protocol StoreTransfer: AnyObject {
    /// How many rows of each table a copy with `scope` takes from this store (a stream's
    /// messages, images and job count with it).
    func transferCounts(scope: TransferScope) throws -> [TransferTable: Int]

    /// At most `limit` (≥ 1) records of `kind` within `scope`, in key order, starting after
    /// `after` (nil: from the first).
    func exportRecords(_ kind: TransferKind, scope: TransferScope, after: TransferKey?, limit: Int) throws
        -> [TransferRecord]

    /// The records of `kind` stored under `keys`, whatever the scope; keys without a row are
    /// left out.
    func storedRecords(_ kind: TransferKind, keys: [TransferKey]) throws -> [TransferRecord]

    /// Inserts `records` in one write transaction, keeping their ids. A record that clashes with
    /// a row already stored (its key, an agent's name, a message's msgid or a job's id) rolls the
    /// transaction back and throws ``TransferConflict``.
    func insertRecords(_ records: [TransferRecord]) throws
}
