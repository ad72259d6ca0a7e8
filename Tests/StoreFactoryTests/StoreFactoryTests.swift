import BotConfig
import BotStore
import Foundation
import PostgresStore
import StoreFactory
import StoreTestSupport
import Testing

@Suite struct StoreFactoryTests {
    /// Without a database URL the backend is the SQLite file at WECOM_DB_PATH.
    @Test func sqliteAtTheConfiguredPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("factory-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try Configuration(values: ["WECOM_DB_PATH": folder + "/bot.sqlite3"])
        let backend = try StoreFactory.backend(for: configuration)
        #expect(backend.description == folder + "/bot.sqlite3")
        try backend.prepare()
        #expect(FileManager.default.fileExists(atPath: folder + "/bot.sqlite3"))
    }

    /// WECOM_DATABASE_URL selects PostgreSQL, its tables in WECOM_PG_SCHEMA.
    @Test func postgresWhenADatabaseURLIsSet() throws {
        let schema = TestPostgres.freshSchemaName()
        defer { _ = try? TestPostgres.admin("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        let configuration = try Configuration(values: ["WECOM_DATABASE_URL": try TestPostgres.url(), "WECOM_PG_SCHEMA": schema])
        let backend = try StoreFactory.backend(for: configuration)
        #expect(backend is PostgresBackend)
        #expect(backend.description.contains("schema=\(schema)"))
        #expect(!backend.description.contains(try TestPostgres.password()))
        #expect(try !backend.exists())
        try backend.prepare()
        #expect(try backend.exists())
        #expect(try TestPostgres.admin("SELECT count(*) FROM pg_tables WHERE schemaname = '\(schema)' AND tablename = 'jobs'") == 1)
    }

    /// A URL libpq cannot parse is a configuration error naming the variable, not quoting the URL.
    @Test func aMalformedDatabaseURLNamesTheVariable() throws {
        let configuration = try Configuration(values: ["WECOM_DATABASE_URL": "host=db password=pw-Secret-9 broken"])
        let error = try #require(throws: ConfigurationError.self) { try StoreFactory.backend(for: configuration) }
        #expect(error.variable == "WECOM_DATABASE_URL")
        #expect(!error.description.contains("pw-Secret-9"))
    }
}
