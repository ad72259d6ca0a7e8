import BotStore
import Foundation
import PostgresStore
import StoreTestSupport

/// A schema of its own on the test server, dropped afterwards, with connections tagged by an
/// `application_name` of its own, so a test can find its sessions in `pg_stat_activity` and
/// terminate them as a server restart would.
struct TaggedSchema {
    let settings: PostgresSettings
    let tag: String

    init(failFastTimeout: Double = 2) throws {
        let schema = TestPostgres.freshSchemaName()
        tag = "wecom-test-" + schema
        var settings = try TestPostgres.settings(schema: schema, extraParameters: "application_name=\(tag)")
        settings.failFastTimeout = failFastTimeout
        self.settings = settings
    }

    var backend: PostgresBackend { PostgresBackend(settings: settings) }

    /// A store on the server's clock, as a host whose clock is `skew` seconds off would have it.
    func openStore(failFast: Bool = false, skew: Int64 = 0) throws -> PostgresStore {
        try PostgresStore(settings: settings, failFast: failFast, clock: .server,
                          hostClock: { Int64(Date().timeIntervalSince1970) + skew })
    }

    /// Terminates every server process of this schema's connections (what a restart does to
    /// them); returns how many there were.
    @discardableResult
    func terminateSessions() throws -> Int64 {
        try TestPostgres.admin("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(tag)'
            """) ?? 0
    }

    /// The server processes of this schema's connections.
    func sessions(where condition: String = "TRUE") throws -> Int64 {
        try TestPostgres.admin("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(tag)' AND \(condition)") ?? 0
    }

    func drop() {
        _ = try? TestPostgres.admin("DROP SCHEMA IF EXISTS \"\(settings.schema)\" CASCADE")
    }
}

/// Runs `body` with a prepared tagged schema, dropped afterwards.
func withTaggedSchema<T>(failFastTimeout: Double = 2, _ body: (TaggedSchema) throws -> T) throws -> T {
    let schema = try TaggedSchema(failFastTimeout: failFastTimeout)
    defer { schema.drop() }
    try schema.backend.prepare()
    return try body(schema)
}

/// Waits until `condition` holds, looking every 20 ms for at most `seconds`; true when it held.
/// For conditions on the server (a session gone, a lease ended) that nothing signals.
func eventually(within seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try condition() { return true }
        if Date() > deadline { return false }
        usleep(20_000)
    }
}

/// The caller's now, as the protocol passes it.
func hostNow(skew: Int64 = 0) -> Int64 {
    Int64(Date().timeIntervalSince1970) + skew
}
