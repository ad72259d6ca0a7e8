import Foundation
import StoreTestSupport
import Testing
import WeComCrypto

/// Issue 17: refused and hostile callbacks write nothing on PostgreSQL either. Every case of
/// RejectionTests and HostileInputTests goes to one stack on a schema of its own, gets the
/// status it gets on SQLite, and leaves `pg_dump --data-only` of the schema as it was
/// (sequence positions aside); a replayed callback is answered from the rows already there.
@Suite(.serialized) struct PostgresRejectionTests {
    @Test func refusedAndHostileCallbacksLeaveTheDumpUnchanged() throws {
        let token = "tok" + SecureRandom.alphanumeric(12), key = EncodingAESKeyGenerator.make()
        // HostileInputTests' settings: the responder's body limit equals nginx's.
        let stack = try ResponderStack(instances: 1, processes: 2, environment: [
            "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key, "WECOM_MAX_BODY_BYTES": "65536",
        ], backend: .postgres)
        defer { stack.stop() }
        let wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        try stack.sql("INSERT INTO bots(botid, token, encoding_aes_key, receive_id, created_at) VALUES ('aibRECV', '\(token)', '\(key)', 'wwCORP', 0)")
        // Rows in every table a callback writes, so that "unchanged" means something.
        let seedStream = try wecom.send(WeComSimulator.text(msgID: "seed-1", content: "seed"))
        #expect(try wecom.post(WeComSimulator.feedback(msgID: "fb-seed", id: "FB1", type: 1, content: "好")).status == 200)
        let before = try stack.dump()
        #expect(before.contains("seed-1") && before.contains("FB1"), "the dump shows no rows: \(before)")

        let cases = RejectionTests.cases.map { c in
            HostileCase(c.name, c.status, c.reason) { w in
                let (method, target, body) = try c.build(w)
                return HostileRequest(method: method, target: target, body: body)
            }
        } + HostileInputTests.cases
        // A fingerprint of every row after each case names the case that wrote; the dump at the
        // end is the proof (nothing a case could write would be undone by a later one).
        let fingerprint = try #require(try Self.fingerprint(stack))
        for c in cases {
            #expect(try stack.send(try c.build(wecom)) == c.status, "\(c.name)")
            #expect(try Self.fingerprint(stack) == fingerprint, "\(c.name) changed the database")
        }
        #expect(try stack.dump() == before, "a refused callback changed the database")

        let (target, body) = try wecom.signedPost(WeComSimulator.text(msgID: "seed-1", content: "seed"))
        for _ in 0..<2 {
            let again = try HTTPClient.request(port: stack.port, method: "POST", target: target, body: body)
            #expect(try wecom.open(again.body).stream["id"] as? String == seedStream)
        }
        #expect(try stack.dump() == before, "a redelivery changed the database")
        let (verification, echo) = try wecom.verify()
        #expect(verification.status == 200 && verification.text == echo)
        #expect(stack.responders.allSatisfy { $0.isRunning })
    }

    /// A hash of every row of every store table (each row as PostgreSQL prints it), read on the
    /// test's own connection: cheaper than a `pg_dump` after each of a hundred requests.
    static func fingerprint(_ stack: ResponderStack) throws -> Int64? {
        let rows = Backend.storeTables.map { "SELECT '\($0)' || t::text AS r FROM \($0) t" }.joined(separator: " UNION ALL ")
        return try stack.database.scalar("SELECT hashtextextended(string_agg(r, ',' ORDER BY r), 0) FROM (\(rows)) x")
    }
}
