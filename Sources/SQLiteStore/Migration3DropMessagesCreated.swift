/// Version 3: drops the index `messages_created`.
///
/// Nothing reads `messages` by age (a message goes with its stream, through the cascade), and
/// every index is one more 4 KiB page in the WAL for each new message.
enum Migration3DropMessagesCreated {
    static let migration = Schema.Migration(version: 3, sql: """
        DROP INDEX messages_created;
        """)
}
