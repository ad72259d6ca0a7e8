/// Version 4: the `state` CHECK constraints of `streams` and `jobs` as comparisons joined by
/// OR instead of `IN` lists.
///
/// SQLite 3.40 evaluates a constant `IN` list of more than two values by building a temporary
/// B-tree of the values, and a CHECK constraint does that on every INSERT and UPDATE: two
/// temporary B-trees per new message (each a fresh pager, two zeroed 4 KiB pages and its
/// inserts; the figures are in bench/README.md). `state = 'a' OR state = 'b' …` is the same
/// constraint evaluated with plain comparisons.
///
/// A CHECK constraint is not stored in the rows, so the table definitions are edited in place
/// (``SchemaTextEdit``). Where that is refused, the old constraints stay: correct, only slower.
enum Migration4StateChecksAsComparisons {
    static let migration = Schema.Migration(version: 4, apply: apply)

    static let rewrites: [SchemaTextEdit.Replacement] = [
        .init(table: "streams", from: "CHECK (state IN ('pending','streaming','finished','failed'))",
              to: "CHECK (state = 'pending' OR state = 'streaming' OR state = 'finished' OR state = 'failed')"),
        .init(table: "jobs", from: "CHECK (state IN ('queued','running','done','dead'))",
              to: "CHECK (state = 'queued' OR state = 'running' OR state = 'done' OR state = 'dead')"),
    ]

    /// Inside the migration's write transaction.
    static func apply(_ connection: SQLiteConnection) throws {
        _ = try SchemaTextEdit.apply(rewrites, on: connection)
    }
}
