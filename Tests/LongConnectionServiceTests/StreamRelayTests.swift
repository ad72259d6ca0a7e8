import BotStore
import Testing
import WeComModel

@testable import LongConnectionService

/// Every branch of the relay's decision, on streams built by hand: what the pusher sends next
/// and what it records once WeCom acknowledged it.
struct StreamRelayTests {
    let relay = StreamRelay(deadline: 300, maxBytes: 10)

    func stream(content: String, finished: Bool = false, images: Int = 0, updatedAt: Int64 = 100,
                push: PushState = PushState(phase: .streaming, firstFrameAt: nil, pushed: nil, fallback: false,
                                            followUpsSent: 0, seq: 0)) -> LongConnectionStream {
        LongConnectionStream(
            streamID: "s1", botID: "bot", reqID: "req", aibotID: "ai", msgID: "m1", chatID: nil, chatType: "single",
            userID: "u1", state: finished ? .finished : .streaming, content: content, finished: finished, error: nil,
            imageCount: images, createdAt: 90, updatedAt: updatedAt,
            version: SnapshotVersion(storedUpdatedAt: updatedAt, contentBytes: content.utf8.count), push: push)
    }

    func pushed(_ s: LongConnectionStream, firstFrameAt: Int64 = 100, phase: PushPhase = .streaming,
                fallback: Bool = false, followUps: Int = 0) -> PushState {
        PushState(phase: phase, firstFrameAt: firstFrameAt, pushed: s.version, fallback: fallback,
                  followUpsSent: followUps, seq: 3)
    }

    @Test func firstFrameGoesOutEvenBeforeAnyText() {
        let s = stream(content: "")
        guard case let .frame(content, finish, update) = relay.next(for: s, now: 100) else {
            Issue.record("expected a frame"); return
        }
        #expect(content == "" && !finish)
        #expect(update.frameSent && update.pushed == s.version && update.phase == .streaming)
    }

    @Test func unchangedStreamWaitsAndChangedOneGetsTheWholeTextSoFar() {
        let old = stream(content: "ab")
        let unchanged = stream(content: "ab", push: pushed(old))
        #expect(relay.next(for: unchanged, now: 110) == .wait)
        let grown = stream(content: "abcd", updatedAt: 101, push: pushed(old))
        guard case let .frame(content, finish, _) = relay.next(for: grown, now: 110) else {
            Issue.record("expected a frame"); return
        }
        #expect(content == "abcd" && !finish)
    }

    @Test func finishedShortAnswerEndsInOneFinalFrame() {
        let s = stream(content: "done", finished: true)
        guard case let .frame(content, finish, update) = relay.next(for: s, now: 100) else {
            Issue.record("expected a frame"); return
        }
        #expect(content == "done" && finish && update.phase == .delivered && !update.fallback)
    }

    @Test func longAnswerCarriesItsHeadInTheFrameAndTheRestAsMessages() {
        let text = "0123456789abcdefghijKLM"
        let s = stream(content: text, finished: true)
        guard case let .frame(head, true, update) = relay.next(for: s, now: 100) else {
            Issue.record("expected a final frame"); return
        }
        #expect(head == "0123456789" && update.phase == .ended)
        var state = pushed(s, phase: .ended)
        var sent: [String] = []
        while case let .sendText(part, next) = relay.next(for: stream(content: text, finished: true, push: state), now: 101) {
            sent.append(part)
            state.followUpsSent = next.followUpsSent
            state.phase = next.phase
        }
        #expect(sent == ["abcdefghij", "KLM"])
        #expect(state.phase == .delivered)
    }

    @Test func imagesFollowTheTextInOrder() {
        let s = stream(content: "hi", finished: true, images: 2)
        guard case let .frame(_, true, update) = relay.next(for: s, now: 100) else {
            Issue.record("expected a final frame"); return
        }
        #expect(update.phase == .ended)
        let first = relay.next(for: stream(content: "hi", finished: true, images: 2, push: pushed(s, phase: .ended)), now: 101)
        #expect(first == .sendImage(index: 0, then: PushUpdate(frameSent: false, pushed: nil, phase: .ended, fallback: false, followUpsSent: 1)))
        let second = relay.next(for: stream(content: "hi", finished: true, images: 2,
                                            push: pushed(s, phase: .ended, followUps: 1)), now: 101)
        #expect(second == .sendImage(index: 1, then: PushUpdate(frameSent: false, pushed: nil, phase: .delivered, fallback: false, followUpsSent: 2)))
    }

    @Test func windowClosingEndsTheStreamWithTheNoticeAndTheWholeAnswerFollows() {
        let relay = StreamRelay(deadline: 30)
        let s = stream(content: "partial", push: PushState(phase: .streaming, firstFrameAt: 100, pushed: nil,
                                                           fallback: false, followUpsSent: 0, seq: 1))
        guard case let .frame(content, finish, update) = relay.next(for: s, now: 130) else {
            Issue.record("expected the notice frame"); return
        }
        #expect(finish && content == UserNotice.interrupted(partial: "partial", notice: UserNotice.stillWorking))
        #expect(update.phase == .ended && update.fallback)
        let unfinished = stream(content: "partial more", push: pushed(s, phase: .ended, fallback: true))
        #expect(relay.next(for: unfinished, now: 140) == .wait)
        let finished = stream(content: "partial more", finished: true, push: pushed(s, phase: .ended, fallback: true))
        guard case let .sendText(whole, next) = relay.next(for: finished, now: 150) else {
            Issue.record("expected the whole answer"); return
        }
        #expect(whole == "partial more" && next.phase == .delivered)
    }

    @Test func refusedFramesSwitchToMessagesFromTheStart() {
        let s = stream(content: "abc", push: PushState(phase: .streaming, firstFrameAt: 100, pushed: nil, fallback: false,
                                                       followUpsSent: 0, seq: 4))
        let update = relay.framesRefused(s)
        #expect(update.phase == .ended && update.fallback && update.followUpsSent == 0 && !update.frameSent)
    }

    @Test func deliveredStreamAndBlankRestNeedNothing() {
        let s = stream(content: "x", finished: true)
        #expect(relay.next(for: stream(content: "x", finished: true, push: pushed(s, phase: .delivered)), now: 1) == .wait)
        let ended = stream(content: "x", finished: true, push: pushed(s, phase: .ended))
        #expect(relay.next(for: ended, now: 1) == .record(PushUpdate(frameSent: false, pushed: nil, phase: .delivered,
                                                                     fallback: false, followUpsSent: 0)))
    }

    @Test func partsNeverSplitACharacter() {
        let parts = StreamRelay.parts(of: "你好世界", maxBytes: 7)
        #expect(parts == ["你好", "世界"])
        #expect(StreamRelay.parts(of: "  \n", maxBytes: 7).isEmpty)
    }
}
