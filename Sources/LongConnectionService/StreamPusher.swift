import BotStore
import Logging
import LongConnection
import WeComModel

/// Pushes the answers of long-connection messages: every flush interval it reads the streams of
/// the bots this process holds that have something to send, and takes one ``StreamRelay`` step
/// for each, at most one in flight per stream. The worker only writes the stream, as in callback
/// mode; what was pushed is recorded in the store, so a standby that takes a bot over goes on
/// where this process stopped.
actor StreamPusher {
    private let lane: StoreLane
    private let holder: String
    private let relay: StreamRelay
    private let keeper: ConnectionKeeper
    private let images: any ImageSending
    private let limiter: ConversationRateLimiter<ContinuousClock>
    private let requestIDs: RequestIDGenerator
    private let logger: Logger
    private let now: @Sendable () -> Double
    private var inFlight: Set<String> = []
    /// Reads of the streams started so far, and for each stream whose step ended lately, the read
    /// under way when it ended. A read that began before a step recorded its result can show the
    /// stream as it was before the step, and acting on that would send the same frame (a second
    /// final frame) or follow-up message again.
    private var reads = 0
    private var stepEndedDuring: [String: Int] = [:]
    /// When each stream's last growing frame went out, to keep them `frameGap` apart.
    private var lastFrameAt: [String: Double] = [:]
    private let frameGap: Double

    init(lane: StoreLane, holder: String, relay: StreamRelay, frameGap: Double, keeper: ConnectionKeeper,
         images: any ImageSending, limiter: ConversationRateLimiter<ContinuousClock>, requestIDs: RequestIDGenerator,
         logger: Logger, now: @escaping @Sendable () -> Double) {
        self.lane = lane
        self.limiter = limiter
        self.frameGap = frameGap
        self.holder = holder
        self.relay = relay
        self.keeper = keeper
        self.images = images
        self.requestIDs = requestIDs
        self.logger = logger
        self.now = now
    }

    /// One read of the streams; the steps it starts run on in tasks of their own. Called more
    /// often than the flush interval, so that a change reaches the user soon after the worker
    /// wrote it; growing frames of one stream still go about once per interval at most.
    func tick() async {
        guard await keeper.holdsAny else { return }
        let holder = holder, at = Int64(now()), windowStart = at - Int64(relay.deadline.rounded(.down))
        reads += 1
        let read = reads
        let streams: [LongConnectionStream]
        do {
            streams = try await lane.run { try $0.longConnectionStreams(holder: holder, windowStartedBefore: windowStart, now: at) }
        } catch {
            logger.warning("cannot read the streams to push: \(error)")
            return
        }
        stepEndedDuring = stepEndedDuring.filter { $0.value >= read }
        for stream in streams where !inFlight.contains(stream.streamID) && stepEndedDuring[stream.streamID] == nil {
            guard let session = await keeper.session(for: stream.botID), await session.isSubscribed else { continue }
            let step = relay.next(for: stream, now: at)
            if step == .wait { continue }
            if case .frame(_, false, _) = step, let last = lastFrameAt[stream.streamID], now() - last < frameGap { continue }
            if case .frame(_, false, _) = step { lastFrameAt[stream.streamID] = now() } else { lastFrameAt[stream.streamID] = nil }
            inFlight.insert(stream.streamID)
            Task {
                await self.take(step, for: stream, on: session)
                self.finished(stream.streamID)
            }
        }
    }

    private func finished(_ streamID: String) {
        inFlight.remove(streamID)
        stepEndedDuring[streamID] = reads
    }

    private func take(_ step: RelayStep, for stream: LongConnectionStream, on session: BotSession) async {
        var log = logger
        log[metadataKey: "stream"] = "\(stream.streamID)"
        log[metadataKey: "bot"] = "\(stream.botID)"
        do {
            switch step {
            case let .frame(content, finish, update):
                let ack = try await session.send(.streamReply(reqID: stream.reqID, streamID: stream.streamID,
                                                              content: content, finish: finish))
                if ack.isSuccess {
                    await record(update, for: stream, log: log)
                } else if ack.errcode == Self.rateLimited {
                    log.notice("stream frame rate limited; trying again")
                } else {
                    // 846608 (the window closed) and any other refusal: the user gets the answer
                    // as messages instead of never.
                    log.notice("stream frame refused (\(ack.errcode) \(ack.errmsg)); the answer follows by aibot_send_msg")
                    await record(relay.framesRefused(stream), for: stream, log: log)
                }
            case let .sendText(text, update):
                let frame = Frame.sendMarkdown(reqID: requestIDs.next(.sendMessage), to: Self.target(of: stream), content: text)
                if try await sent(frame, on: session, log: log) { await record(update, for: stream, log: log) }
            case let .sendImage(index, update):
                if try await sendImage(index, of: stream, on: session, log: log) { await record(update, for: stream, log: log) }
            case let .record(update):
                await record(update, for: stream, log: log)
            case .wait:
                break
            }
        } catch {
            log.notice("push deferred: \(error)")
        }
    }

    /// Sends a follow-up message in its conversation's turn (30 a minute); true when it is done
    /// with (sent, or refused for good).
    private func sent(_ frame: Frame, on session: BotSession, log: Logger) async throws -> Bool {
        try await limiter.waitForTurn(frame.body?["chatid"]?.stringValue ?? "")
        let ack = try await session.send(frame)
        if ack.isSuccess { return true }
        if ack.errcode == Self.rateLimited {
            log.notice("follow-up message rate limited; trying again")
            return false
        }
        log.warning("follow-up message refused: \(ack.errcode) \(ack.errmsg)")
        return true
    }

    private func sendImage(_ index: Int, of stream: LongConnectionStream, on session: BotSession, log: Logger) async throws -> Bool {
        let streamID = stream.streamID
        guard let snapshot = try await lane.run({ try $0.stream(id: streamID) }), index < snapshot.images.count else {
            log.warning("answer image \(index + 1) is gone from the store; skipped")
            return true
        }
        let mediaID: String
        do {
            let data = snapshot.images[index].data
            let name = "image\(index + 1)" + (data.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? ".png" : ".jpg")
            mediaID = try await images.upload(data, name: name, on: session)
        } catch {
            log.warning("answer image \(index + 1) not uploaded: \(error)")
            return true
        }
        let frame = Frame.sendMedia(reqID: requestIDs.next(.sendMessage), to: Self.target(of: stream), type: .image,
                                    mediaID: mediaID)
        return try await sent(frame, on: session, log: log)
    }

    private func record(_ update: PushUpdate, for stream: LongConnectionStream, log: Logger) async {
        let streamID = stream.streamID, holder = holder, seq = stream.push.seq, at = Int64(now())
        do {
            if !(try await lane.run { try $0.recordPush(streamID: streamID, holder: holder, expectedSeq: seq, update: update, now: at) }) {
                log.notice("push state changed meanwhile (another holder?); read again")
            }
        } catch {
            log.warning("cannot record the push: \(error)")
        }
    }

    /// Where `aibot_send_msg` goes for the stream's conversation.
    static func target(of stream: LongConnectionStream) -> ChatTarget {
        if stream.chatType == "group", let chat = stream.chatID, !chat.isEmpty { return .group(chat) }
        return .user(stream.userID)
    }

    /// WeCom's errcode for too many messages to one conversation (docs/wecom-protocol.md §8.5).
    static let rateLimited = 846607
}

/// Uploads an answer image over a bot's connection and returns its `media_id`.
public protocol ImageSending: Sendable {
    func upload(_ data: [UInt8], name: String, on session: BotSession) async throws -> String
}
