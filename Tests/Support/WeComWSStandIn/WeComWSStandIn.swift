import JSONCore
import LongConnection
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import StrictBase64
import Synchronization

/// A real WebSocket server on 127.0.0.1 (plain, or TLS with a test CA's certificate) that answers
/// like WeCom's long-connection endpoint (docs/wecom-protocol.md §8), for tests in which a real
/// client connects to it:
/// - `aibot_subscribe`: errcode 0 for a BotID and secret in `bots`, otherwise 853000;
/// - `ping`: acked while `ackPings` is on;
/// - the three upload steps (§8.4): `aibot_upload_media_init` opens an upload and answers its
///   `upload_id`, `aibot_upload_media_chunk` keeps a chunk by its `chunk_index`,
///   `aibot_upload_media_finish` joins the chunks in index order, records the file in `uploads`
///   and answers a `media_id`; a step with missing fields, an unknown `upload_id`, or a finish
///   whose chunks do not add up to the announced count and size is refused with
///   `invalidUploadErrcode`;
/// - every other request: acked with errcode 0;
/// - any command: acked with the code set with `answer(_:errcode:errmsg:)` instead;
///   `holdAcks(for:)` keeps a command's acks back until `releaseHeldAck()`;
/// - `push` sends callbacks to the connected client, `pushDisconnectedEvent` the takeover event
///   (which a second subscription of the same bot also sends to the older connection, as WeCom
///   does), `dropConnections` closes the sockets without a close frame.
///
/// Everything received is recorded in `received`, connections opening and closing in
/// `connectionEvents`, both awaitable.
public final class WeComWSStandIn: Sendable {
    /// A frame the server received, on which connection (numbered from 1 in accept order), and
    /// when (read on the event loop as the frame was handled, for the benchmark's latencies).
    public struct Received: Sendable {
        public let connection: Int
        public let frame: Frame
        public let at: ContinuousClock.Instant
    }

    public enum ConnectionEvent: Sendable, Equatable {
        case opened(Int)
        case closed(Int)
    }

    /// A file the stand-in received through the three upload steps.
    public struct Upload: Sendable, Equatable {
        public let uploadID: String
        public let mediaID: String
        public let type: String
        public let filename: String
        /// The `md5` the init step announced.
        public let md5: String
        /// The `chunk_index` of every chunk, in arrival order.
        public let chunkIndices: [Int]
        /// Each chunk's size after base64 decoding, in arrival order.
        public let chunkSizes: [Int]
        /// The chunks joined in index order.
        public let bytes: [UInt8]
    }

    public static let invalidCredentialsMessage = "invalid bot_id or secret"
    /// The stand-in's own code for an upload step it cannot take (WeCom's is not documented).
    public static let invalidUploadErrcode = 40058

    public let port: Int
    public let usesTLS: Bool
    public let received = AwaitableLog<Received>()
    /// Every upload that finished.
    public let uploads = AwaitableLog<Upload>()
    public let connectionEvents = AwaitableLog<ConnectionEvent>()

    struct State {
        var bots: [String: String]
        var ackPings = true
        var answers: [FrameCommand: (errcode: Int, errmsg: String)] = [:]
        var held: Set<FrameCommand> = []
        var heldAcks: [(channel: any Channel, ack: Ack)] = []
        var channels: [Int: any Channel] = [:]
        /// Subscribed connections in order, with their bot.
        var subscribed: [(connection: Int, botID: String)] = []
        /// Older connections of a bot that just subscribed again, owed a `disconnected_event`.
        var replaced: [any Channel] = []
        var lastConnection = 0
        var lastUpload = 0
        /// Uploads between init and finish, by upload_id.
        var openUploads: [String: OpenUpload] = [:]
        /// Uploads just finished, for `uploads` once the lock is released.
        var finishedUploads: [Upload] = []
        var lastPush = 0
    }

    struct OpenUpload {
        var number: Int
        var type: String
        var filename: String
        var totalSize: Int
        var totalChunks: Int
        var md5: String
        var chunks: [(index: Int, bytes: [UInt8])] = []
    }

    let state: Mutex<State>
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel

    /// Starts listening on a free port of 127.0.0.1; with `tls`, speaks TLS with that certificate.
    public init(bots: [String: String] = ["standin-bot": "standin-secret"],
                tls: TestCertificateAuthority.ServerIdentity? = nil) throws {
        state = Mutex(State(bots: bots))
        usesTLS = tls != nil
        let sslContext = try tls.map { identity in
            try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(identity.certificateFile).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: identity.keyFile, format: .pem))))
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let box = ServerBox()
        do {
            listener = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                        }
                        let upgrader = NIOWebSocketServerUpgrader(
                            maxFrameSize: WebSocketClientConnector.maxMessageBytes,
                            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                            upgradePipelineHandler: { channel, _ in
                                channel.eventLoop.makeCompletedFuture {
                                    guard let server = box.server else { throw ChannelError.ioOnClosedChannel }
                                    try channel.pipeline.syncOperations.addHandlers([
                                        NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                                                                    maxAccumulatedFrameSize: WebSocketClientConnector.maxMessageBytes),
                                        StandInConnectionHandler(server: server),
                                    ])
                                }
                            })
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        port = listener.localAddress?.port ?? 0
        box.server = self
    }

    /// `ws://127.0.0.1:PORT`, or `wss://localhost:PORT` with TLS (the certificate names localhost,
    /// and TLS sends no IP address as the server name).
    public var url: String { usesTLS ? "wss://localhost:\(port)" : "ws://127.0.0.1:\(port)" }

    /// Stops listening and closes every connection.
    public func shutdown() async throws {
        try await listener.close()
        dropConnections()
        try await group.shutdownGracefully()
    }

    // MARK: - Knobs

    public func setAckPings(_ ack: Bool) {
        state.withLock { $0.ackPings = ack }
    }

    /// Acks every later `command` request with `errcode` (0 restores the default).
    public func answer(_ command: FrameCommand, errcode: Int, errmsg: String) {
        state.withLock { $0.answers[command] = errcode == 0 ? nil : (errcode, errmsg) }
    }

    /// Keeps the acks of `command` back, in order, until `releaseHeldAck`.
    public func holdAcks(for command: FrameCommand) {
        state.withLock { _ = $0.held.insert(command) }
    }

    /// Sends the oldest held ack; false when none is held.
    @discardableResult
    public func releaseHeldAck() -> Bool {
        let next = state.withLock { state -> (channel: any Channel, ack: Ack)? in
            state.heldAcks.isEmpty ? nil : state.heldAcks.removeFirst()
        }
        guard let next else { return false }
        Self.write(FrameCodec.encode(next.ack), to: next.channel)
        return true
    }

    /// Acks held back right now.
    public var heldAckCount: Int { state.withLock { $0.heldAcks.count } }

    // MARK: - Pushing and dropping

    /// Sends `frame` to the connection that subscribed last and is still open.
    public func push(_ frame: Frame) async throws {
        guard let channel = latestSubscribedChannel() else { throw ChannelError.ioOnClosedChannel }
        try await channel.writeAndFlush(Self.textFrame(FrameCodec.encode(frame)))
    }

    /// Sends `frame` to the open connection subscribed as `botID`.
    public func push(_ frame: Frame, toBot botID: String) async throws {
        let channel = state.withLock { state in
            state.subscribed.last { $0.botID == botID }.flatMap { state.channels[$0.connection] }
        }
        guard let channel else { throw ChannelError.ioOnClosedChannel }
        try await channel.writeAndFlush(Self.textFrame(FrameCodec.encode(frame)))
    }

    /// BotIDs with an open subscribed connection.
    public var subscribedBots: Set<String> { state.withLock { Set($0.subscribed.map(\.botID)) } }

    /// An `aibot_msg_callback` text message from `userid` in a direct chat, with a fresh req_id and msgid.
    public func pushText(_ content: String, from userid: String = "standin-user", botID: String = "standin-bot") async throws -> Frame {
        let n = state.withLock { state in
            state.lastPush += 1
            return state.lastPush
        }
        let frame = Frame(command: .messageCallback, reqID: "standin-req-\(n)", body: [
            "msgid": .string("standin-msg-\(n)"), "aibotid": .string(botID), "chattype": "single",
            "from": ["userid": .string(userid)], "msgtype": "text", "text": ["content": .string(content)],
        ])
        try await push(frame)
        return frame
    }

    /// Tells the client another client subscribed as its bot (§8.1). A second subscription of
    /// the same bot sends it to the older connection by itself.
    public func pushDisconnectedEvent(botID: String = "standin-bot") async throws {
        try await push(Self.disconnectedEvent(botID: botID))
    }

    static func disconnectedEvent(botID: String) -> Frame {
        Frame(command: .eventCallback, reqID: "standin-disconnect", body: [
            "msgid": "standin-disconnect-msg", "create_time": 1_700_000_000, "aibotid": .string(botID),
            "msgtype": "event", "event": ["eventtype": "disconnected_event"],
        ])
    }

    /// Closes every open connection's socket, without a WebSocket close frame (a dropped network).
    public func dropConnections() {
        for channel in state.withLock({ Array($0.channels.values) }) {
            channel.close(promise: nil)
        }
    }

    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.channels.count } }

    // MARK: - Serving one connection (called on its event loop)

    func opened(_ channel: any Channel) -> Int {
        let id = state.withLock { state in
            state.lastConnection += 1
            state.channels[state.lastConnection] = channel
            return state.lastConnection
        }
        connectionEvents.append(.opened(id))
        return id
    }

    func closed(_ id: Int) {
        state.withLock { state in
            state.channels[id] = nil
            state.subscribed.removeAll { $0.connection == id }
        }
        connectionEvents.append(.closed(id))
    }

    func handle(_ message: [UInt8], connection id: Int, channel: any Channel) {
        let at = ContinuousClock.now
        guard case let .command(frame)? = try? FrameCodec.decode(message) else { return }
        let reply: Ack? = state.withLock { state in
            let ack = answer(frame, connection: id, state: &state)
            if let ack, state.held.contains(frame.command) {
                state.heldAcks.append((channel, ack))
                return nil
            }
            return ack
        }
        // Recorded once the state knows it (a test that saw a subscription can push to it at
        // once) and before the ack goes out (the client acts on the ack only after that).
        // A finished upload likewise: the uploader returns on the finish step's ack.
        received.append(Received(connection: id, frame: frame, at: at))
        let (replaced, finished) = state.withLock { state in
            defer {
                state.replaced.removeAll()
                state.finishedUploads.removeAll()
            }
            return (state.replaced, state.finishedUploads)
        }
        for upload in finished { uploads.append(upload) }
        if let reply { Self.write(FrameCodec.encode(reply), to: channel) }
        for older in replaced {
            Self.write(FrameCodec.encode(Self.disconnectedEvent(botID: frame.body?["bot_id"]?.stringValue ?? "")), to: older)
        }
    }

    private func answer(_ frame: Frame, connection id: Int, state: inout State) -> Ack? {
        switch frame.command {
        case .subscribe:
            let botID = frame.body?["bot_id"]?.stringValue ?? ""
            guard let secret = state.bots[botID], frame.body?["secret"]?.stringValue == secret else {
                return Ack(reqID: frame.reqID, errcode: LongConnectionError.invalidCredentials, errmsg: Self.invalidCredentialsMessage)
            }
            // The newer subscription takes the bot over; the older connections hear of it (§8.1).
            for older in state.subscribed where older.botID == botID {
                if let channel = state.channels[older.connection] { state.replaced.append(channel) }
            }
            state.subscribed.removeAll { $0.botID == botID }
            state.subscribed.append((id, botID))
            return Ack(reqID: frame.reqID)
        case .ping:
            return state.ackPings ? Ack(reqID: frame.reqID) : nil
        default:
            if let refusal = state.answers[frame.command] {
                return Ack(reqID: frame.reqID, errcode: refusal.errcode, errmsg: refusal.errmsg)
            }
            switch frame.command {
            case .uploadMediaInit, .uploadMediaChunk, .uploadMediaFinish:
                return Self.answerUpload(frame, state: &state)
            default:
                return Ack(reqID: frame.reqID)
            }
        }
    }

    /// One step of an upload (§8.4), as described at the top.
    private static func answerUpload(_ frame: Frame, state: inout State) -> Ack {
        let body = frame.body
        let refused = { (reason: String) in Ack(reqID: frame.reqID, errcode: invalidUploadErrcode, errmsg: reason) }
        switch frame.command {
        case .uploadMediaInit:
            guard let type = body?["type"]?.stringValue, let filename = body?["filename"]?.stringValue,
                  let size = body?["total_size"]?.intValue, let count = body?["total_chunks"]?.intValue,
                  let md5 = body?["md5"]?.stringValue
            else { return refused("init without type, filename, total_size, total_chunks or md5") }
            state.lastUpload += 1
            let id = "standin-upload-\(state.lastUpload)"
            state.openUploads[id] = OpenUpload(number: state.lastUpload, type: type, filename: filename, totalSize: size, totalChunks: count, md5: md5)
            return Ack(reqID: frame.reqID, body: ["upload_id": .string(id)])
        case .uploadMediaChunk:
            guard let id = body?["upload_id"]?.stringValue, state.openUploads[id] != nil else { return refused("unknown upload_id") }
            guard let index = body?["chunk_index"]?.intValue, let data = body?["base64_data"]?.stringValue.flatMap(Base64.decode)
            else { return refused("chunk without chunk_index or base64_data") }
            state.openUploads[id]?.chunks.append((index, data))
            return Ack(reqID: frame.reqID)
        default:
            guard let id = body?["upload_id"]?.stringValue, let open = state.openUploads.removeValue(forKey: id) else {
                return refused("unknown upload_id")
            }
            // A chunk sent twice counts once: chunks are idempotent.
            var byIndex: [Int: [UInt8]] = [:]
            for chunk in open.chunks { byIndex[chunk.index] = chunk.bytes }
            let bytes = byIndex.keys.sorted().flatMap { byIndex[$0] ?? [] }
            guard byIndex.count == open.totalChunks, bytes.count == open.totalSize else {
                return refused("\(byIndex.count) chunks of \(bytes.count) bytes, announced \(open.totalChunks) of \(open.totalSize)")
            }
            let mediaID = "standin-media-\(open.number)"
            state.finishedUploads.append(Upload(
                uploadID: id, mediaID: mediaID, type: open.type, filename: open.filename, md5: open.md5,
                chunkIndices: open.chunks.map(\.index), chunkSizes: open.chunks.map(\.bytes.count), bytes: bytes))
            return Ack(reqID: frame.reqID, body: [
                "type": .string(open.type), "media_id": .string(mediaID), "created_at": 1_700_000_000,
            ])
        }
    }

    private func latestSubscribedChannel() -> (any Channel)? {
        state.withLock { state in state.subscribed.last.flatMap { state.channels[$0.connection] } }
    }

    static func textFrame(_ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
    }

    static func write(_ bytes: [UInt8], to channel: any Channel) {
        channel.writeAndFlush(textFrame(bytes), promise: nil)
    }
}

/// Lets the pipeline initializer reach the stand-in, which exists only once `init` is done.
private final class ServerBox: @unchecked Sendable {
    // @unchecked: written once in `init` before the listener can accept a connection whose
    // upgrade reads it (binding happens first, but no client knows the port until `init` returns).
    var server: WeComWSStandIn?
}
