import BotStore
import StoreTestSupport
import Testing

@Suite struct EventTests {
    @Test(arguments: Backend.allCases) func anEventIsStoredOncePerMessage(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            #expect(try store.recordEvent(.mockFeedback(msgID: "e1"), now: 10))
            #expect(try !store.recordEvent(.mockFeedback(msgID: "e1", rating: 2), now: 11))
            #expect(try store.scalarInt("SELECT count(*) FROM feedback") == 1)
            #expect(try store.scalarInt("SELECT rating FROM feedback WHERE msgid = 'e1'") == 1)
            #expect(try store.scalarInt("SELECT created_at FROM feedback WHERE msgid = 'e1'") == 10)
        }
    }

    @Test(arguments: Backend.allCases) func templateCardEventsAreStoredWithTheirKind(_ backend: Backend) throws {
        try withStore(backend) { store, _ throws in
            let card = StoredEvent(kind: .templateCard, botID: "bot-1", aibotID: "aibot-1", msgID: "e2",
                                   userID: "u1", reference: "task-1", rating: nil, detail: "btn_ok", payload: "{}")
            #expect(try store.recordEvent(card, now: 10))
            #expect(try store.scalarInt("SELECT count(*) FROM feedback WHERE kind = 'template_card' AND rating IS NULL AND reference = 'task-1'") == 1)
        }
    }
}
