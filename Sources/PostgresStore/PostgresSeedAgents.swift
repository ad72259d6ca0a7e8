import BotStore

/// The original Python service's `agents` table (`id`, `name`, `api_endpoint`, `api_key`,
/// `is_active`), read for `wecomctl agents import-seed`: in the database that service used, by
/// default in its `public` schema, beside (never inside) this store's own schema.
///
/// Columns are read as text, so an integer or a text id comes out the same ("1"), and
/// `is_active` counts as true only when it reads as true (`true`, `t`, `1`, `yes`, `on`): a
/// NULL is inactive.
public final class PostgresSeedAgents: SeedAgentSource {
    private let connection: PostgresConnection
    private let schema: String
    private let table: String
    public let description: String

    /// Connects to the database `connectionString` names (what it leaves out comes from
    /// libpq's `PG*` variables).
    /// - Parameter table: `name` or `schema.name`; the schema defaults to `public`.
    /// - Throws: ``PostgresError`` for a malformed string or table name,
    ///   ``StoreError/unavailable(_:)`` when the database cannot be reached.
    public init(connectionString: String, table: String) throws {
        let parts = table.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isValidName) else {
            throw PostgresError(sqlState: nil, message: "table name '\(table)' is not NAME or SCHEMA.NAME (1–63 bytes each, no quotes)")
        }
        schema = parts.count == 2 ? parts[0] : "public"
        self.table = parts[parts.count - 1]
        let settings = try PostgresSettings(connectionString: connectionString, schema: schema)
        description = "table \(schema).\(self.table) in \(settings.description)"
        do {
            connection = try PostgresConnection(settings: settings, sessionSQL: "SET search_path TO \(settings.quotedSchema)")
        } catch let error as PostgresError {
            throw error.forCallers
        }
    }

    public func close() {
        connection.close()
    }

    /// Every row, in id order.
    /// - Throws: ``StoreError/notFound(_:)`` when there is no such table.
    public func seedAgents() throws -> [SeedAgent] {
        let qualified = "\"\(schema)\".\"\(table)\""
        do {
            guard try connection.query("SELECT to_regclass($1) IS NOT NULL", qualified).text(0, 0) == "t" else {
                throw StoreError.notFound(description)
            }
            let rows = try connection.executeSimple("""
                SELECT id::text, name::text, api_endpoint::text, api_key::text,
                  coalesce(lower(is_active::text) IN ('true', 't', '1', 'yes', 'on'), false)
                FROM \(qualified) ORDER BY id
                """)
            return (0..<rows.rowCount).map { row in
                SeedAgent(id: rows.text(row, 0), name: rows.optionalText(row, 1), apiEndpoint: rows.optionalText(row, 2),
                          apiKey: rows.optionalText(row, 3), isActive: rows.text(row, 4) == "t")
            }
        } catch let error as PostgresError {
            throw error.forCallers
        }
    }

    /// 1–63 bytes without a double quote or NUL (it is always written quoted).
    private static func isValidName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && !name.utf8.contains(UInt8(ascii: "\"")) && !name.utf8.contains(0)
    }
}
