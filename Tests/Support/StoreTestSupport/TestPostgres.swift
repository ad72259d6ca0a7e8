import Foundation
import PostgresStore

/// The throwaway PostgreSQL server the tests use: `make test` starts it (scripts/test-postgres.sh)
/// and passes its URL in `WECOM_TEST_PG_URL`.
public enum TestPostgres {
    /// Why a test that needs the server cannot run: it fails (never passes silently) with this.
    public struct NotRunning: Error, CustomStringConvertible {
        public let description = """
            WECOM_TEST_PG_URL is not set, so the PostgreSQL tests have no server: run `make test` (it starts one), \
            or `scripts/test-postgres.sh start` and `eval "$(scripts/test-postgres.sh env)"` before `swift test` \
            (`scripts/test-postgres.sh stop` removes it)
            """
    }

    /// The server's connection string (with its password).
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["WECOM_TEST_PG_URL"], !url.isEmpty else {
            throw NotRunning()
        }
        return url
    }

    /// The password inside ``url()``, for tests that check it never shows.
    public static func password() throws -> String {
        let url = try url()
        guard let components = URLComponents(string: url), let password = components.password else { return "" }
        return password
    }

    /// Settings for `schema` on the test server.
    public static func settings(schema: String, extraParameters: String = "") throws -> PostgresSettings {
        let url = try url()
        let separator = url.contains("?") ? "&" : "?"
        return try PostgresSettings(connectionString: extraParameters.isEmpty ? url : url + separator + extraParameters,
                                    schema: schema)
    }

    /// A schema name no other test uses.
    public static func freshSchemaName() -> String {
        "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    }

    /// Runs `sql` on a connection of its own (a `psql` session, as an operator would), in `schema`.
    @discardableResult
    public static func admin(_ sql: String, schema: String = "public") throws -> Int64? {
        let store = try PostgresStore(settings: try settings(schema: schema))
        defer { store.close() }
        return try store.scalarInt(sql)
    }

    static func dropSchema(_ schema: String) {
        _ = try? admin("DROP SCHEMA IF EXISTS \"\(schema)\" CASCADE")
    }
}

extension TestPostgres {
    /// A session of its own in `schema` (a `psql` an operator left open), for transactions a test
    /// holds open across other calls: close it to end them.
    public static func openSession(schema: String) throws -> PostgresStore {
        try PostgresStore(settings: try settings(schema: schema))
    }
}
