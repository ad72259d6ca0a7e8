import BotConfig
import BotStore
import Foundation
import Logging
import MessageIntake
import WeComCrypto
import WeComModel

/// Answers WeCom callbacks: routes, verifies, decrypts, dispatches on msgtype and encrypts
/// the reply. One instance per serving thread (it holds that thread's store connection).
/// Every rejection happens before any write, or is a write the store could not take (503),
/// so a refused request leaves the store unchanged.
public final class CallbackHandler {
    private let configuration: Configuration
    private let store: BotStore
    private let resolver: BotResolver
    private let intake: MessageIntake
    private let jobSignal: (any JobSignal)?
    private let now: () -> Int64
    private let logger: Logger

    /// - Parameter jobSignal: wakes idle workers after a message queued a job; nil leaves them
    ///   to their next look at the queue.
    public init(configuration: Configuration, store: BotStore, jobSignal: (any JobSignal)?,
                logger: Logger, now: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.configuration = configuration
        self.store = store
        let rows = BotRows(store: store, now: now)
        self.resolver = BotResolver(configuration: configuration, rows: rows)
        self.intake = MessageIntake(configuration: configuration, store: store, rows: rows, now: now)
        self.jobSignal = jobSignal
        self.now = now
        self.logger = logger
    }

    public func handle(_ request: CallbackRequest) -> CallbackResponse {
        var fields: [(String, String)] = []
        var kind = CallbackKind.unknown
        do {
            let botID = try CallbackRoute.botID(fromPath: request.path)
            fields.append(("botid", botID))
            guard request.method == "GET" || request.method == "POST" else {
                throw Rejection.methodNotAllowed(request.method)
            }
            if request.method == "GET" { kind = .verify }
            guard request.body.count <= configuration.maxBodyBytes else {
                throw Rejection.tooLarge(request.body.count, limit: configuration.maxBodyBytes)
            }
            let query = try CallbackQuery.parse(request.query)
            let bot = try resolver.bot(id: botID)
            var response = request.method == "GET"
                ? try verifyURL(query: query, bot: bot, fields: fields)
                : try message(body: request.body, query: query, bot: bot, fields: &fields, kind: &kind)
            response.kind = kind
            return response
        } catch {
            let rejection = Self.rejection(for: error)
            var response = CallbackResponse(status: rejection.status, body: Array((statusText(rejection.status) + "\n").utf8),
                                            headers: rejection.headers, reason: rejection.reason, logFields: fields)
            response.kind = kind
            response.rejection = rejection.category
            response.storeFailed = error is StoreError
            return response
        }
    }

    /// A store that could not take a message or event in time is a 503, so that WeCom delivers
    /// it again (a 200 would lose it); any other unexpected failure is a 500.
    private static func rejection(for error: any Error) -> Rejection {
        switch error {
        case let rejection as Rejection: return rejection
        case StoreError.unavailable: return .unavailable("\(error)")
        default: return .internalError("internal: \(error)")
        }
    }

    private func verifyURL(query: CallbackQuery, bot: BotResolver.Bot, fields: [(String, String)]) throws -> CallbackResponse {
        guard let echostr = query.echostr, !echostr.isEmpty else { throw Rejection.badRequest("missing echostr") }
        do {
            let plain = try bot.crypto.verifyURL(msgSignature: query.signature, timestamp: query.timestamp,
                                                 nonce: query.nonce, echostr: echostr)
            return CallbackResponse(status: 200, body: plain, logFields: fields + [("msgtype", "verify")])
        } catch let error as WeComCryptoError {
            throw CryptoRejection.map(error)
        }
    }

    private func message(body: [UInt8], query: CallbackQuery, bot: BotResolver.Bot,
                         fields: inout [(String, String)], kind: inout CallbackKind) throws -> CallbackResponse {
        let plaintext: [UInt8]
        do {
            plaintext = try bot.crypto.decryptCallback(msgSignature: query.signature, timestamp: query.timestamp,
                                                       nonce: query.nonce, body: body)
        } catch let error as WeComCryptoError {
            throw CryptoRejection.map(error)
        }
        let inbound: InboundMessage
        do {
            inbound = try InboundMessage.decode(plaintext)
        } catch {
            throw Rejection.badRequest("decrypted payload: \(error)")
        }
        switch inbound.content {
        case .streamRefresh: kind = .refresh
        case .event: kind = .event
        default: kind = .message
        }
        fields.append(("msgtype", inbound.msgType))
        fields.append(("msgid", String(inbound.msgID.prefix(64))))
        let dispatcher = MessageDispatcher(store: store, intake: intake)
        let outcome = try dispatcher.dispatch(inbound, raw: plaintext, bot: bot)
        if let stream = outcome.streamID { fields.append(("stream", stream)) }
        if outcome.queuedJob { jobSignal?.notifyWorkers() }
        guard outcome.reply != .empty else {
            return CallbackResponse(status: 200, logFields: fields)
        }
        do {
            let envelope = try bot.crypto.encryptReply(outcome.reply.jsonBytes(), timestamp: String(now()), nonce: query.nonce)
            var response = CallbackResponse(status: 200, contentType: "application/json; charset=utf-8", body: envelope,
                                            logFields: fields)
            if case .streamRefresh = inbound.content { response.routine = true }
            return response
        } catch {
            throw Rejection.internalError("encrypting the reply failed: \(error)")
        }
    }

    private func statusText(_ status: Int) -> String {
        switch status {
        case 400: return "bad request"
        case 403: return "forbidden"
        case 404: return "not found"
        case 405: return "method not allowed"
        case 413: return "payload too large"
        case 503: return "service unavailable"
        default: return "internal error"
        }
    }
}

@available(*, unavailable) extension CallbackHandler: Sendable {}
