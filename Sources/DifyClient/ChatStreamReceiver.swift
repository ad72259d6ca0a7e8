/// Receives one `/chat-messages` response body inside curl's write callback: SSE for a 2xx
/// response, otherwise a bounded copy of the error body.
final class ChatStreamReceiver {
    /// The most error-body bytes kept for ``DifyError/http(status:code:message:)``.
    static let maxErrorBodyBytes = 64 << 10

    private var parser = SSEParser()
    private(set) var accumulator = ChatAccumulator()
    private let onEvent: (DifyEvent) -> StreamControl
    private let currentStatus: () -> Int
    /// The HTTP status, read when the first body byte arrives.
    private(set) var status: Int?
    let errorBody = ByteBuffer()
    private(set) var abortedByCaller = false
    private(set) var parseFailure: SSEParser.Failure?

    init(onEvent: @escaping (DifyEvent) -> StreamControl, currentStatus: @escaping () -> Int) {
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
        guard !abortedByCaller, parseFailure == nil else { return }
        _ = deliver(parser.finish())
    }

    private func deliver(_ events: [SSEEvent]) -> Bool {
        for sse in events {
            let decoded = DecodedDifyEvent(sse)
            accumulator.apply(decoded)
            if onEvent(decoded.event) == .abort {
                abortedByCaller = true
                return false
            }
        }
        return true
    }
}

@available(*, unavailable)
extension ChatStreamReceiver: Sendable {}
