/// Receives one `/chat-messages` response body inside curl's write callback: SSE for a 2xx
/// response, otherwise a bounded copy of the error body. The answer grows here, in
/// ``accumulator``, and nowhere else: each event's callback reads the summary so far.
final class ChatStreamReceiver {
    /// The most error-body bytes kept for ``DifyError/http(status:code:message:)``.
    static let maxErrorBodyBytes = 64 << 10

    private var parser = SSEParser()
    private(set) var accumulator = ChatAccumulator()
    private let onEvent: (DifyEvent, ChatSummary) -> StreamControl
    private let currentStatus: () -> Int
    /// The HTTP status, read when the first body byte arrives.
    private(set) var status: Int?
    let errorBody = ByteBuffer()
    /// Why a callback stopped the transfer (curl's C callbacks can only say "stop", not why).
    private(set) var stopReason: (any Error)?
    private(set) var parseFailure: SSEParser.Failure?

    init(onEvent: @escaping (DifyEvent, ChatSummary) -> StreamControl, currentStatus: @escaping () -> Int) {
        self.onEvent = onEvent
        self.currentStatus = currentStatus
    }

    /// One body chunk; false stops the transfer.
    func receive(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let status = self.status ?? currentStatus()
        self.status = status
        guard (200..<300).contains(status) else {
            return errorBody.appendTruncating(chunk, limit: Self.maxErrorBodyBytes)
        }
        do {
            return deliver(try parser.feed(chunk))
        } catch {
            parseFailure = error
            return false
        }
    }

    /// End of the body: delivers an event left without its closing blank line.
    func finish() {
        guard stopReason == nil, parseFailure == nil else { return }
        _ = deliver(parser.finish())
    }

    /// Follows a callback's answer; false (stop the transfer) once it asked to stop.
    func follow(_ control: StreamControl) -> Bool {
        guard case .stop(let reason) = control else { return true }
        stopReason = reason
        return false
    }

    private func deliver(_ events: [SSEEvent]) -> Bool {
        for sse in events {
            let decoded = DecodedDifyEvent(sse)
            accumulator.apply(decoded)
            guard follow(onEvent(decoded.event, accumulator.summary)) else { return false }
        }
        return true
    }
}

@available(*, unavailable)
extension ChatStreamReceiver: Sendable {}
