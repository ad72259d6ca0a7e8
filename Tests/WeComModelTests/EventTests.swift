import Testing
@testable import WeComModel

@Suite struct EventTests {
    @Test func enterChatWithoutChat() throws {
        let message = try InboundMessage.decode(Payloads.enterChat)
        #expect(message.msgType == "event")
        #expect(message.content == .event(.enterChat))
        #expect(message.chatID == nil)
        #expect(message.chatType == nil)
        #expect(message.createTime == 1_700_000_000)
        #expect(message.from == Sender(userID: "zhangsan", corpID: "wpCORP"))
    }

    @Test func templateCardEventSnakeCase() throws {
        let card = try cardEvent(Payloads.cardEventSnake)
        #expect(card.cardType == "vote_interaction")
        #expect(card.eventKey == "submit")
        #expect(card.taskID == "task-1")
        #expect(card.selectedItems == [
            SelectedItem(questionKey: "q1", optionIDs: ["a", "b"]),
            SelectedItem(questionKey: "q2", optionIDs: ["c"]),
        ])
        #expect(card.raw["card_type"] == "vote_interaction")
        let message = try InboundMessage.decode(Payloads.cardEventSnake)
        #expect(message.responseURL == "https://example.invalid/r")
    }

    @Test func templateCardEventTableSpelling() throws {
        let card = try cardEvent(Payloads.cardEventTables)
        #expect(card == TemplateCardEvent(
            cardType: "multiple_interaction", eventKey: "done", taskID: "task-2",
            selectedItems: [SelectedItem(questionKey: "k", optionIDs: ["x", "y"])],
            raw: card.raw))
        #expect(card.raw["cardtype"] == "multiple_interaction")
    }

    @Test func templateCardButtonHasNoSelections() throws {
        let card = try cardEvent(Payloads.cardEventButton)
        #expect(card.cardType == "button_interaction")
        #expect(card.eventKey == "btn-ok")
        #expect(card.selectedItems.isEmpty)
    }

    @Test func singleSelectedItemObjectIsAccepted() throws {
        let json = #"""
            {"msgid":"m","msgtype":"event","event":{"eventtype":"template_card_event",
             "template_card_event":{"card_type":"vote_interaction",
             "selected_items":{"selected_item":{"question_key":"q","option_ids":{"option_id":"o"}}}}}}
            """#
        #expect(try cardEvent(json).selectedItems == [SelectedItem(questionKey: "q", optionIDs: ["o"])])
    }

    @Test func feedbackInaccurateWithReasons() throws {
        let message = try InboundMessage.decode(Payloads.feedback)
        guard case let .event(.feedback(feedback)) = message.content else {
            Issue.record("not a feedback event: \(message.content)")
            return
        }
        #expect(feedback.id == "fb-1")
        #expect(feedback.type == 2)
        #expect(feedback.content == "答非所问")
        #expect(feedback.inaccurateReasons == [1, 3])
        #expect(feedback.raw["inaccurate_reason_list"] == [1, 3])
    }

    @Test func feedbackAccurateHasNoReasons() throws {
        let json = #"{"msgid":"m","msgtype":"event","event":{"eventtype":"feedback_event","feedback_event":{"id":"f","type":1}}}"#
        let message = try InboundMessage.decode(json)
        #expect(message.content == .event(.feedback(FeedbackEvent(
            id: "f", type: 1, raw: ["id": "f", "type": 1]))))
    }

    @Test func unknownEventType() throws {
        let message = try InboundMessage.decode(Payloads.unknownEvent)
        #expect(message.content == .event(.unknown(eventType: "disconnected_event")))
    }

    private func cardEvent(_ json: String) throws -> TemplateCardEvent {
        let message = try InboundMessage.decode(json)
        guard case let .event(.templateCard(card)) = message.content else {
            Issue.record("not a template card event: \(message.content)")
            return TemplateCardEvent(cardType: "")
        }
        return card
    }
}
