/// Version 2: an index on `messages(stream_id)`.
///
/// Deleting a stream cascades to its messages; without an index on the child key every
/// deleted stream costs a full scan of `messages` (https://sqlite.org/foreignkeys.html#fk_indexes).
enum Migration2IndexMessagesByStream {
    static let migration = Schema.Migration(version: 2, sql: """
        CREATE INDEX messages_stream ON messages(stream_id);
        """)
}
