import BotStore
import Glibc

/// The PostgreSQL backend's job waiter: a connection of its own, never pooled, that `LISTEN`s on
/// the schema's job channel, and `poll()` on its socket.
///
/// The `LISTEN` is part of the connection's session setup, so a connection made again after the
/// database went away listens again; since notifications sent meanwhile are lost, the first wait
/// after a reconnect reports a signal, and the worker looks at the queue. While the database is
/// unreachable a wait sleeps its timeout out (the back-off decides when to try again); the
/// worker's poll of the queue covers the time.
final class NotificationWaiter: JobWaiter {
    private let connection: PostgresConnection
    private var seenConnections: Int

    init(settings: PostgresSettings) throws {
        do {
            connection = try PostgresConnection(settings: settings, sessionSQL: "LISTEN \(settings.jobChannel)")
        } catch let error as PostgresError {
            throw error.forCallers
        }
        seenConnections = connection.connectionCount
    }

    func wait(timeout: Double) -> Bool {
        do {
            try connection.ensureOpen()
        } catch {
            usleep(useconds_t(max(0, timeout) * 1_000_000))
            return false
        }
        if connection.connectionCount != seenConnections {
            seenConnections = connection.connectionCount
            _ = connection.takeNotifications()
            return true
        }
        // ensureOpen may have read notifications already.
        if connection.takeNotifications() > 0 { return true }
        var descriptor = pollfd(fd: connection.socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32((max(0, timeout) * 1000).rounded(.up))) > 0 else { return false }
        // A lost connection is noticed by the next wait; the worker looks at the queue meanwhile.
        guard connection.consumeInput() else { return true }
        return connection.takeNotifications() > 0
    }
}
