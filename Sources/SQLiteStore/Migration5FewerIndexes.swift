/// Version 5: drops the indexes `streams_created` and `messages_stream`, and deletes a stream's
/// message with the trigger `streams_delete_message` instead of a foreign key's cascade, so that
/// a new message writes to six B-trees instead of eight.
///
/// Every B-tree a transaction touches is one more 4 KiB page that it reads back from the WAL
/// (another process's commit empties every connection's page cache), writes to the WAL with
/// its checksum, and that the next checkpoint copies. Two of the eight were there only for
/// rare work:
///
/// - `streams_created` served the purge alone. Purge now walks the streams in rowid order,
///   which is the order they were committed in (``SQLiteStore/purge(olderThan:batch:)``).
/// - `messages_stream` served the `ON DELETE CASCADE` from `streams` to `messages` alone: without
///   it every deleted stream would scan `messages`. The foreign key goes, and a trigger on
///   deleting a stream deletes its message through the primary key, since the stream row holds
///   the same `(aibotid, msgid)`. Deleting a stream still takes its message along, by hand in
///   `sqlite3` too; nothing runs on insert.
///
/// Dropping the foreign key edits the table definition in place (``SchemaTextEdit``). Where
/// that is refused, the foreign key and its index stay (correct, one page slower).
enum Migration5FewerIndexes {
    static let migration = Schema.Migration(version: 5, apply: apply)

    static let foreignKey = SchemaTextEdit.Replacement(
        table: "messages", from: "stream_id TEXT REFERENCES streams(id) ON DELETE CASCADE", to: "stream_id TEXT")

    /// Inside the migration's write transaction.
    static func apply(_ connection: SQLiteConnection) throws {
        try connection.execute("DROP INDEX IF EXISTS streams_created")
        guard try SchemaTextEdit.apply([foreignKey], on: connection) > 0 else { return }
        try connection.execute("""
            CREATE TRIGGER streams_delete_message AFTER DELETE ON streams BEGIN
              DELETE FROM messages WHERE aibotid = old.aibotid AND msgid = old.msgid AND stream_id = old.id;
            END;
            DROP INDEX IF EXISTS messages_stream;
            """)
    }
}
