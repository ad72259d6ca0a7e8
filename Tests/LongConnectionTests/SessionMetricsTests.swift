import Testing
import WeComWSStandIn
@testable import LongConnection

/// What a session reports to its ``SessionMetrics``, on the in-memory transport and the manual clock.
@Suite struct SessionMetricsTests {
    @Test func framesAcksTimeoutsReconnectsAndTheSubscriptionAreReported() async throws {
        try await onTestThreads {
            let metrics = RecordingMetrics()
            let f = SessionFixture(metrics: metrics)
            let first = try await f.subscribe()
            #expect(metrics.events.all == ["sent aibot_subscribe", "acked aibot_subscribe 0", "up"])

            first.push(.text("one", reqID: "cb-1"))
            try #require(await f.recorded.frames.wait())
            let refused = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-1", content: "answer")) }
            _ = try #require(await first.frame(.respondMessage))
            first.ack("cb-1", errcode: 846608, errmsg: "expired")
            #expect(try await refused.value.errcode == 846608)
            let unanswered = testThreadsTask { try await f.session.send(.markdownReply(reqID: "cb-2", content: "answer")) }
            _ = try #require(await first.frame(.respondMessage, number: 2))
            try await f.advance(to: 5)
            _ = try? await unanswered.value
            #expect(Array(metrics.events.all.dropFirst(3)) == [
                "received aibot_msg_callback", "sent aibot_respond_msg", "acked aibot_respond_msg 846608",
                "sent aibot_respond_msg", "timeout aibot_respond_msg",
            ])

            // Down, then the back-off's wait, then one reconnect.
            first.drop()
            try #require(await f.recorded.events.wait { $0 == .down(.closedByServer, retryIn: .seconds(1)) })
            #expect(metrics.events.all.last == "down")
            #expect(!metrics.events.all.contains("reconnecting"))
            try await f.advance(to: 6)
            try await f.subscribe(2)
            #expect(Array(metrics.events.all.suffix(5)) == ["down", "reconnecting", "sent aibot_subscribe", "acked aibot_subscribe 0", "up"])
            #expect(await f.stop() == .stopped)
            #expect(metrics.events.all.last == "down")
            #expect(metrics.events.all.filter { $0 == "reconnecting" }.count == 1)
        }
    }
}

/// Every report as a line, in order.
private final class RecordingMetrics: SessionMetrics {
    let events = AwaitableLog<String>()

    func sent(_ command: FrameCommand) { events.append("sent \(command)") }
    func received(_ command: FrameCommand) { events.append("received \(command)") }
    func acked(_ command: FrameCommand, errcode: Int) { events.append("acked \(command) \(errcode)") }
    func ackTimedOut(_ command: FrameCommand) { events.append("timeout \(command)") }
    func reconnecting() { events.append("reconnecting") }
    func subscription(up: Bool) { events.append(up ? "up" : "down") }
}
