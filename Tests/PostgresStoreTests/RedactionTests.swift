import BotStore
import PostgresStore
import StoreTestSupport
import Testing

/// The connection string's password never shows: not in a description, an error or a log line.
@Suite struct RedactionTests {
    @Test func theDescriptionNamesTheServerButNotThePassword() throws {
        let settings = try PostgresSettings(connectionString: "host=db.example port=6543 user=bot password=s3cr3t-Pw dbname=wecom",
                                            schema: "wecom_bot")
        for part in ["PostgreSQL", "host=db.example", "port=6543", "dbname=wecom", "user=bot", "schema=wecom_bot"] {
            #expect(settings.description.contains(part), "\(part) in \(settings)")
        }
        #expect(!settings.description.contains("s3cr3t-Pw"))
        #expect(PostgresBackend(settings: settings).description == settings.description)

        let uri = try PostgresSettings(connectionString: "postgresql://bot:s3cr3t-Pw@db.example:6543/wecom", schema: "s")
        #expect(uri.description.contains("host=db.example") && uri.description.contains("user=bot"))
        #expect(!uri.description.contains("s3cr3t-Pw"))
    }

    @Test(arguments: [
        "host=db.example password=s3cr3t-Pw bogus",
        "postgresql://bot:s3cr3t-Pw%zz@db.example/wecom",
        "postgresql://bot:s3cr3t-Pw@db.example/wecom?nosuchoption=1",
    ])
    func aMalformedConnectionStringIsRefusedWithoutQuotingIt(_ text: String) throws {
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresSettings(connectionString: text, schema: "wecom_bot")
        }
        #expect(!error.description.contains("s3cr3t-Pw"), "\(error)")
        #expect(!error.description.contains("bogus") && !error.description.contains("nosuchoption"), "\(error)")
    }

    /// The test server asks for a password: a wrong one fails to connect, and neither it nor the
    /// right one appears in the error.
    @Test func aFailedLoginDoesNotShowThePassword() throws {
        let url = try TestPostgres.url()
        let right = try TestPostgres.password()
        #expect(!right.isEmpty, "the test server should use a password")
        let wrong = "wrong-Pw-\(right.prefix(6))"
        let settings = try PostgresSettings(connectionString: url.replacingOccurrences(of: right, with: wrong), schema: "s")
        let error = try #require(throws: StoreError.self) { _ = try PostgresStore(settings: settings) }
        #expect("\(error)".contains("password authentication failed"), "\(error)")
        #expect(!"\(error)".contains(wrong) && !"\(error)".contains(right), "\(error)")
        #expect(!settings.description.contains(right) && !settings.description.contains(wrong))
    }
}
