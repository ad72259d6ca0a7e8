import CCurl
import JSONCore
import Foundation

/// A blocking client for Dify's Service API on libcurl: streamed chat answers and file uploads.
///
/// One client per worker thread: it owns one easy handle and reuses it, so consecutive requests
/// to the same Dify host reuse the connection. Calls block the calling thread; never call them on
/// the Swift concurrency pool (docs/architecture.md §10.3). The API key goes only into the
/// `Authorization` header, never into errors or descriptions.
public final class DifyClient {
    private let easy = CurlEasy()

    /// Upload response bodies larger than this are cut (the JSON is a few hundred bytes).
    static let maxUploadResponseBytes = 1 << 20

    public init() {}

    /// Streams one answer from `POST {base}/chat-messages`.
    ///
    /// `onEvent` runs synchronously on this thread for each event as it arrives (from inside
    /// curl's write callback), with the answer accumulated so far (this event included);
    /// returning ``StreamControl/stop(_:)`` stops the transfer. It must not call back into this
    /// client (libcurl forbids re-entering a handle from its callbacks). `onTick` runs from
    /// curl's progress callback (about once a second while the stream is idle), so a caller can
    /// renew leases or notice deadlines between events; it can stop the transfer too.
    ///
    /// - Returns: ``ChatStreamOutcome/finished(_:)`` with the whole answer once the terminal
    ///   event arrived, or ``ChatStreamOutcome/stopped(_:)`` with the reason a callback gave.
    /// - Throws: ``DifyError/http(status:code:message:)`` for a non-2xx status,
    ///   ``DifyError/streamError(status:code:message:)`` after an `error` event,
    ///   ``DifyError/idleTimeout(_:)`` after `limits.idleTimeout` seconds without a byte,
    ///   ``DifyError/totalTimeout(_:)``, ``DifyError/unreachable(_:)``, ``DifyError/truncated``
    ///   when the stream ends without a terminal event, or ``DifyError/invalidResponse(_:)``.
    public func streamChat(
        _ request: ChatRequest,
        endpoint: DifyAgentEndpoint,
        limits: StreamLimits,
        onTick: () -> StreamControl = { .continue },
        onEvent: (DifyEvent, ChatSummary) -> StreamControl
    ) throws(DifyError) -> ChatStreamOutcome {
        easy.reset()
        easy.setURL(endpoint.url("chat-messages"))
        easy.setPostBody(ChatRequestBody(request).encoded())
        easy.setHeaders(Self.headers(endpoint, "Content-Type: application/json", "Accept: text/event-stream"))
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, seconds: limits.connectTimeout)
        easy.set(CURLOPT_TIMEOUT_MS, seconds: limits.totalTimeout)
        easy.set(CURLOPT_BUFFERSIZE, 4096)
        let easy = self.easy
        let outcome: Result<ChatStreamOutcome, DifyError> = withoutActuallyEscaping(onEvent) { onEvent in
          withoutActuallyEscaping(onTick) { onTick in
            let receiver = ChatStreamReceiver(onEvent: onEvent, currentStatus: { easy.responseCode })
            let sink = TransferSink(idleLimit: limits.idleTimeout > 0 ? limits.idleTimeout : nil,
                                    onTick: { receiver.follow(onTick()) }) { receiver.receive($0) }
            let failure = easy.perform(sink)
            return Result { () throws(DifyError) in
                try streamOutcome(failure: failure, receiver: receiver, sink: sink, limits: limits)
            }
          }
        }
        return try outcome.get()
    }

    /// Uploads one file with `POST {base}/files/upload` (multipart fields `file` and `user`).
    ///
    /// - Parameter user: must be the `user` of the chat turn that will reference the file (docs/dify-api.md §4.5).
    /// - Returns: the file's `id`, for ``DifyFileRef/uploadFileID``.
    /// - Throws: ``DifyError/http(status:code:message:)`` unless the status is 201 or 200 (e.g. 413
    ///   `file_too_large`, 415 `unsupported_file_type`), ``DifyError/unreachable(_:)``,
    ///   ``DifyError/totalTimeout(_:)``, or ``DifyError/invalidResponse(_:)`` without an `id`.
    public func uploadFile(
        _ data: [UInt8],
        fileName: String,
        mimeType: String,
        user: String,
        endpoint: DifyAgentEndpoint,
        timeout: Double = 120
    ) throws(DifyError) -> String {
        easy.reset()
        easy.setURL(endpoint.url("files/upload"))
        easy.setHeaders(Self.headers(endpoint, "Accept: application/json"))
        let mime = CurlMime(easy: easy)
        mime.addPart(name: "file", data: data, filename: Self.headerSafe(fileName), type: Self.headerSafe(mimeType))
        mime.addField(name: "user", value: user)
        easy.setMultipart(mime)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, seconds: 10)
        easy.set(CURLOPT_TIMEOUT_MS, seconds: timeout)
        let body = ByteBuffer()
        let failure = easy.perform(TransferSink { body.appendTruncating($0, limit: Self.maxUploadResponseBytes) })
        let status = easy.responseCode
        if status == 0, let failure { throw transportError(failure, totalTimeout: timeout) }
        guard status == 201 || status == 200 else { throw DifyError.http(status: status, body: body.bytes) }
        if let failure {
            if failure.is(CURLE_OPERATION_TIMEDOUT) { throw .totalTimeout(timeout) }
            throw .invalidResponse("upload response incomplete: \(failure)")
        }
        guard case let .object(uploaded)? = try? JSONReader.parse(body.bytes, depthLimit: DifyJSON.depthLimit),
              let id = uploaded["id"]?.stringValue, !id.isEmpty
        else { throw .invalidResponse("upload response (HTTP \(status)) has no file id") }
        return id
    }

    // MARK: Outcomes

    private func streamOutcome(
        failure: CurlError?, receiver: ChatStreamReceiver, sink: TransferSink, limits: StreamLimits
    ) throws(DifyError) -> ChatStreamOutcome {
        if let reason = receiver.stopReason { return .stopped(reason) }
        let status = receiver.status ?? easy.responseCode
        if status == 0 {
            if sink.idleExpired { throw .idleTimeout(limits.idleTimeout) }
            if let failure { throw transportError(failure, totalTimeout: limits.totalTimeout) }
            throw .invalidResponse("no HTTP status")
        }
        guard (200..<300).contains(status) else { throw DifyError.http(status: status, body: receiver.errorBody.bytes) }
        if let parseFailure = receiver.parseFailure { throw .invalidResponse(parseFailure.description) }
        receiver.finish()
        if let reason = receiver.stopReason { return .stopped(reason) }
        let accumulator = receiver.accumulator
        if let streamError = accumulator.streamError { throw streamError }
        // Once the terminal event is in, a later stall, timeout or reset loses nothing.
        if accumulator.sawTerminalEvent { return .finished(accumulator.summary) }
        if sink.idleExpired { throw .idleTimeout(limits.idleTimeout) }
        if let failure, failure.is(CURLE_OPERATION_TIMEDOUT) { throw .totalTimeout(limits.totalTimeout) }
        if accumulator.eventCount == 0, let type = easy.contentType, !type.lowercased().hasPrefix("text/event-stream") {
            throw .invalidResponse("expected text/event-stream, got \(type)")
        }
        throw .truncated
    }

    /// Maps a transfer that got no HTTP response at all.
    private func transportError(_ failure: CurlError, totalTimeout: Double) -> DifyError {
        // CURLOPT_TIMEOUT and CURLOPT_CONNECTTIMEOUT both end in CURLE_OPERATION_TIMEDOUT.
        if failure.is(CURLE_OPERATION_TIMEDOUT), totalTimeout > 0, easy.totalTime >= totalTimeout * 0.95 {
            return .totalTimeout(totalTimeout)
        }
        return .unreachable(failure.description)
    }

    // MARK: Headers

    private static func headers(_ endpoint: DifyAgentEndpoint, _ extra: String...) -> CurlHeaderList {
        // "Expect:" stops curl from waiting for "100 Continue" before sending larger bodies.
        CurlHeaderList(["Authorization: Bearer \(headerSafe(endpoint.apiKey))", "Expect:"] + extra)
    }

    /// Drops CR, LF, NUL and `"`, which could break a header line or a multipart header.
    static func headerSafe(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" && $0 != "\"" })
    }
}

@available(*, unavailable)
extension DifyClient: Sendable {}
