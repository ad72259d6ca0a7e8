import CLibpq
import Glibc

/// One `PGconn*`, set up for the store's schema, that reconnects when the database went away.
///
/// Every new connection gets the schema as its `search_path`, a notice processor that drops
/// the server's notices (libpq prints them to stderr otherwise) and the session settings its
/// owner asks for. Statements are prepared once per connection, by SQL text, and kept.
///
/// A lost connection (the server restarted or terminated it, the network failed) is noticed
/// before the next call sends anything, by ``ensureOpen()``, which connects again; attempts that
/// keep failing back off (``ReconnectBackoff``). Whether a call that failed half-way may run
/// again is for the caller to say (``PostgresStore``).
///
/// Not thread-safe: libpq forbids two threads on one `PGconn` at once. Never carry it across
/// `fork()`.
///
/// Related libpq documentation: https://www.postgresql.org/docs/15/libpq-connect.html
final class PostgresConnection {
    private var handle: OpaquePointer?
    let settings: PostgresSettings
    /// Run on every new connection (the search path and any session timeouts).
    private let sessionSQL: String
    private var statements: [String: String] = [:]
    private var backoff = ReconnectBackoff()
    private var lastFailure: PostgresError?
    private var closed = false
    /// A `NOTIFY` to send with the COMMIT of the open transaction.
    private var notifyAtCommit: String?
    private let monotonic: () -> Double

    /// Connects now: a wrong address or password fails here, not at the first call.
    init(settings: PostgresSettings, sessionSQL: String,
         monotonic: @escaping () -> Double = PostgresConnection.monotonicNow) throws {
        self.settings = settings
        self.sessionSQL = sessionSQL
        self.monotonic = monotonic
        try connect()
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection for good: later calls throw ``PostgresError/closed``.
    func close() {
        closed = true
        drop()
    }

    /// The server process serving this connection (for `pg_stat_activity`), 0 when not connected.
    var backendPID: Int32 {
        handle.map { PQbackendPID($0) } ?? 0
    }

    /// The socket libpq reads from, for waiting on notifications; -1 when not connected.
    var socket: Int32 {
        handle.map { PQsocket($0) } ?? -1
    }

    /// How many times a connection was made: it grows when ``ensureOpen()`` had to reconnect.
    private(set) var connectionCount = 0

    // MARK: notifications

    /// Reads what the server sent without blocking; false when that shows the connection lost.
    func consumeInput() -> Bool {
        guard let handle else { return false }
        return PQconsumeInput(handle) != 0 && PQstatus(handle) == CONNECTION_OK
    }

    /// Takes every notification libpq has read so far; returns how many there were.
    /// https://www.postgresql.org/docs/15/libpq-notify.html
    func takeNotifications() -> Int {
        guard let handle else { return 0 }
        var count = 0
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            count += 1
        }
        return count
    }

    // MARK: connecting

    /// Makes sure there is a connection that looks alive: reconnects when the last one was lost
    /// or the server has hung up since (an idle connection has nothing to read unless the server
    /// sent its goodbye and closed). While attempts keep failing, throws the last failure at once
    /// until the back-off allows the next one.
    func ensureOpen() throws {
        guard !closed else { throw PostgresError.closed }
        if let handle, PQstatus(handle) == CONNECTION_OK, !serverHungUp(handle) {
            if PQtransactionStatus(handle) != PQTRANS_IDLE { rollback() }
            return
        }
        drop()
        let now = monotonic()
        let wait = backoff.wait(at: now)
        guard wait == 0 else {
            let cause = lastFailure?.message ?? "connection lost"
            throw PostgresError(sqlState: lastFailure?.sqlState,
                                message: "not reconnecting for another \(Int((wait * 1000).rounded(.up))) ms after: \(cause)",
                                connectionLost: true)
        }
        do {
            try connect()
            backoff.succeeded()
            lastFailure = nil
        } catch let error as PostgresError {
            backoff.failed(at: now)
            lastFailure = error
            throw error
        }
    }

    private func connect() throws {
        let pairs = settings.connectKeywords
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let keywordList = keywords.map { UnsafePointer($0) } + [nil]
        let valueList = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keywordList, valueList, 1) else {
            throw PostgresError(sqlState: nil, message: "libpq could not allocate a connection", connectionLost: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresError(sqlState: nil, message: redacted(PQerrorMessage(connection)), connectionLost: true)
            PQfinish(connection)
            throw error
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        connectionCount += 1
        do {
            try executeSimple(sessionSQL)
        } catch {
            drop()
            throw error
        }
    }

    /// True when reading what the idle connection has pending shows the server closed it.
    private func serverHungUp(_ connection: OpaquePointer) -> Bool {
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return false }
            if PQconsumeInput(connection) == 0 || PQstatus(connection) != CONNECTION_OK { return true }
        }
        return false
    }

    private func drop() {
        if let handle { PQfinish(handle) }
        handle = nil
        statements.removeAll()
        notifyAtCommit = nil
    }

    // MARK: statements

    /// Runs one statement with `values` as its parameters `$1`, `$2`, …; it is prepared on first
    /// use and kept.
    func query<each Value: PostgresBindable>(_ sql: String, _ values: repeat each Value) throws -> PostgresResult {
        var parameters: [PostgresParameter] = []
        for value in repeat each values { parameters.append(value.parameter) }
        return try query(sql, parameters)
    }

    func query(_ sql: String, _ parameters: [PostgresParameter]) throws -> PostgresResult {
        let connection = try openHandle()
        let name = try preparedName(for: sql, types: parameters.map(\.type), on: connection)
        var values: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter.value {
            case let .text(text):
                values.append(strdup(text))
                lengths.append(0)
                formats.append(0)
            case let .bytes(bytes):
                // malloc, like strdup above, so that one free releases every value.
                guard let copy = malloc(max(1, bytes.count)) else { preconditionFailure("out of memory") }
                bytes.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { copy.copyMemory(from: base, byteCount: raw.count) }
                }
                values.append(copy.assumingMemoryBound(to: CChar.self))
                lengths.append(Int32(bytes.count))
                formats.append(1)
            case .null:
                values.append(nil)
                lengths.append(0)
                formats.append(0)
            }
        }
        defer { values.forEach { free($0) } }
        let constValues = values.map { UnsafePointer($0) }
        let raw = PQexecPrepared(connection, name, Int32(parameters.count), constValues, lengths, formats, 0)
        return try check(raw, on: connection, sql: sql)
    }

    /// Runs one or more statements without parameters (the simple query protocol: one round trip).
    @discardableResult
    func executeSimple(_ sql: String) throws -> PostgresResult {
        let connection = try openHandle()
        return try check(PQexec(connection, sql), on: connection, sql: sql)
    }

    private func preparedName(for sql: String, types: [UInt32], on connection: OpaquePointer) throws -> String {
        if let name = statements[sql] { return name }
        let name = "wecom\(statements.count + 1)"
        _ = try check(PQprepare(connection, name, sql, Int32(types.count), types), on: connection, sql: sql)
        statements[sql] = name
        return name
    }

    private func check(_ raw: OpaquePointer?, on connection: OpaquePointer, sql: String) throws -> PostgresResult {
        guard let raw else {
            throw PostgresError(sqlState: nil, message: redacted(PQerrorMessage(connection)), sql: sql,
                                connectionLost: PQstatus(connection) != CONNECTION_OK)
        }
        let result = PostgresResult(handle: raw)
        let status = PQresultStatus(raw)
        guard status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK else { return result }
        let state = CLibpq_sqlstate(raw).map { String(cString: $0) }
        let message = CLibpq_primary_message(raw) ?? UnsafePointer(PQresultErrorMessage(raw))
        throw PostgresError(sqlState: state, message: redacted(message), sql: sql,
                            connectionLost: PQstatus(connection) != CONNECTION_OK)
    }

    private func openHandle() throws -> OpaquePointer {
        if closed { throw PostgresError.closed }
        guard let handle else {
            throw PostgresError(sqlState: nil, message: lastFailure?.message ?? "connection lost", connectionLost: true)
        }
        return handle
    }

    private func redacted(_ message: UnsafePointer<CChar>?) -> String {
        settings.redaction.apply(message.map { String(cString: $0) } ?? "unknown error")
    }

    // MARK: transactions

    /// Runs `body` in a transaction: `begin` (BEGIN, plus any `SET LOCAL`, in one round trip),
    /// then COMMIT, with the `NOTIFY` that ``notifyAtCommit(_:)`` asked for in the same round
    /// trip; rolled back on any thrown error. A connection found lost at BEGIN, when nothing has
    /// been done yet, is reconnected once. Transactions do not nest.
    func transaction<T>(_ begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        notifyAtCommit = nil
        do {
            try executeSimple(begin)
        } catch let error as PostgresError where error.connectionLost {
            try ensureOpen()
            try executeSimple(begin)
        }
        do {
            let result = try body()
            let commit = notifyAtCommit.map { "NOTIFY \($0); COMMIT" } ?? "COMMIT"
            notifyAtCommit = nil
            try executeSimple(commit)
            return result
        } catch {
            notifyAtCommit = nil
            rollback()
            throw error
        }
    }

    /// Sends `NOTIFY channel` with the COMMIT of the open transaction: listeners hear of it only
    /// if the transaction commits, and once however often it is asked for.
    func notifyAtCommit(_ channel: String) {
        notifyAtCommit = channel
    }

    /// Sends `NOTIFY channel` in a transaction of its own that does not wait for the disk (a lost
    /// notification costs a worker no more than its next look at the queue), so the database-wide
    /// lock PostgreSQL takes for a notifying commit is held for microseconds, not through a WAL
    /// flush. Best effort, like every job signal: a failure is left for the next call to find.
    func notify(_ channel: String) {
        _ = try? executeSimple("BEGIN; SET LOCAL synchronous_commit = off; NOTIFY \(channel); COMMIT")
    }

    /// Rolls back the open transaction, if the connection is still there to do it.
    private func rollback() {
        guard let handle, PQstatus(handle) == CONNECTION_OK, PQtransactionStatus(handle) != PQTRANS_IDLE else { return }
        PQclear(PQexec(handle, "ROLLBACK"))
    }

    // MARK: clock

    /// Seconds on the monotonic clock, for the back-off.
    static func monotonicNow() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}
