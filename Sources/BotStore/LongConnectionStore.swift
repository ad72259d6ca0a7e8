/// What long-connection mode keeps in the store (docs/architecture.md §9.2): which process holds
/// each bot's one connection, what it pushed of each stream, and the messages the bot sends first.
///
/// `wecom-ws` processes on any number of hosts share these rows. A bot's connection is held by a
/// lease, like a job: every write a holder makes is guarded by `holder`, so a process that lost
/// the bot to another (its lease expired while it stalled) changes nothing and learns so from a
/// `false` result. Times are unix seconds as everywhere in the store; on PostgreSQL leases and
/// "now" are the database's and a caller's times count as distances from its `now`.
public protocol LongConnectionStore: AnyObject {
    // MARK: connection leases

    /// Takes the bot's connection lease for `holder` until `now + lease`, unless a live lease of
    /// another holder has it or the bot is marked taken over. A free bot, an expired lease and
    /// the caller's own lease are acquired (the row is created on first use, so the default bot
    /// of `WECOM_BOT_ID` needs no bots row). A new holder starts disconnected. Reads before it
    /// writes: a standby asking every few seconds takes no write lock.
    func acquireConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> ConnectionLease
    /// Moves the lease's end to `now + lease`. False when `holder` no longer holds the bot (stop
    /// using its connection at once). An expired lease nobody else took is still renewed.
    func renewConnection(botID: String, holder: String, now: Int64, lease: Int64) throws -> Bool
    /// The holder subscribed: connected, since `now` unless it already was. False when not the holder.
    func recordConnected(botID: String, holder: String, now: Int64) throws -> Bool
    /// The holder's connection is down (or the subscription was refused): not connected, since
    /// `now` unless it already was not; `error` (one line, never a secret) becomes the last error
    /// when given. The lease stays the holder's. False when not the holder.
    func recordDisconnected(botID: String, holder: String, error: String?, now: Int64) throws -> Bool
    /// The holder received `disconnected_event`: the bot is marked taken over at `now`, and the
    /// lease is given up, so that neither this holder nor a standby connects it again until
    /// ``clearTakenOver(botID:now:)``. False when `holder` no longer holds the bot: then the
    /// event came from this deployment's own new holder, and nothing is marked.
    func markTakenOver(botID: String, holder: String, now: Int64) throws -> Bool
    /// Gives the lease up (a clean stop), so a standby need not wait for it to expire. False when
    /// not the holder.
    func releaseConnection(botID: String, holder: String, now: Int64) throws -> Bool
    /// Clears the taken-over mark (`wecomctl bots reconnect`); false when the bot was not marked.
    func clearTakenOver(botID: String, now: Int64) throws -> Bool
    /// Every long-connection bot (a bots row with a secret, a lease row, or queued messages: the
    /// default bot of `WECOM_BOT_ID` has no bots row), by botid, with its lease and connection as
    /// of `now`.
    func connectionStatuses(now: Int64) throws -> [ConnectionStatus]

    // MARK: streams of long-connection messages

    /// The streams of the bots `holder` holds that have something to push, each with its push
    /// state: in phase `streaming`, those never pushed, changed since the last push, finished, or
    /// whose window started (first frame) at or before `windowStartedBefore`; in phase `ended`,
    /// those whose answer is finished. One read, no lock.
    func longConnectionStreams(holder: String, windowStartedBefore: Int64, now: Int64) throws -> [LongConnectionStream]
    /// Records what the holder pushed of the stream, atomically: applied only while `holder`
    /// holds the stream's bot and the push state is still at `expectedSeq` (what the caller read),
    /// and then the state's `seq` goes up by one. False otherwise (re-read and decide again).
    func recordPush(streamID: String, holder: String, expectedSeq: Int64, update: PushUpdate, now: Int64) throws -> Bool

    // MARK: messages the bot sends first

    /// Queues a markdown message to a user or a group; returns its id.
    func queueOutbound(_ message: NewOutboundMessage, now: Int64) throws -> Int64
    /// Claims up to `limit` queued messages of the bots `holder` holds, oldest first, until
    /// `now + lease`: state `sending`, never handed to two processes. A message whose claim
    /// expired before its outcome was recorded (the sender died waiting for WeCom's answer) is
    /// marked failed with an unknown outcome rather than sent again. Reads before it writes.
    func claimOutbound(holder: String, now: Int64, lease: Int64, limit: Int) throws -> [OutboundMessage]
    /// Records how sending went; false when the message is not `sending` under `holder`'s claim.
    func recordOutboundOutcome(id: Int64, holder: String, outcome: OutboundOutcome, now: Int64) throws -> Bool
    /// One message, as `wecomctl send` follows it; nil for an unknown id.
    func outboundMessage(id: Int64) throws -> OutboundMessage?
    /// Withdraws a message that is still queued (`wecomctl send` gave up waiting); false when it
    /// was already claimed or finished.
    func cancelOutbound(id: Int64, now: Int64) throws -> Bool
}
