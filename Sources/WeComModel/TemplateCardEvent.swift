/// `event.template_card_event` (docs/wecom-protocol.md §4.5). WeCom's tables and examples disagree on spelling, so
/// both `card_type` and `cardtype` (and likewise for every key) are read.
public struct TemplateCardEvent: Sendable, Equatable {
    /// `card_type` | `cardtype`, e.g. `button_interaction`; `""` when absent.
    public var cardType: String
    /// `event_key` | `eventkey`: the clicked button / submit / menu key.
    public var eventKey: String?
    /// `task_id` | `taskid`: the card's task id, needed for `update_template_card`.
    public var taskID: String?
    /// `selected_items.selected_item` | `selecteditems.selecteditem`; empty for plain clicks.
    public var selectedItems: [SelectedItem]
    /// The whole payload object as sent.
    public var raw: JSONValue

    public init(
        cardType: String, eventKey: String? = nil, taskID: String? = nil,
        selectedItems: [SelectedItem] = [], raw: JSONValue = .object([:])
    ) {
        self.cardType = cardType
        self.eventKey = eventKey
        self.taskID = taskID
        self.selectedItems = selectedItems
        self.raw = raw
    }

    init(fields: FieldReader) throws {
        cardType = try fields.string("card_type", "cardtype") ?? ""
        eventKey = try fields.string("event_key", "eventkey")
        taskID = try fields.string("task_id", "taskid")
        raw = fields.raw
        guard let container = try fields.object("selected_items", "selecteditems"),
              let (path, elements) = container.list("selected_item", "selecteditem")
        else {
            selectedItems = []
            return
        }
        selectedItems = try elements.enumerated().map { index, element in
            try SelectedItem(fields: FieldReader(element, path: "\(path)[\(index)]"))
        }
    }
}

/// One answered question of a vote / multi-select card.
public struct SelectedItem: Sendable, Equatable {
    /// `question_key` | `questionkey`; `""` when absent.
    public var questionKey: String
    /// `option_ids.option_id` | `optionids.optionid`, in order.
    public var optionIDs: [String]

    public init(questionKey: String, optionIDs: [String]) {
        self.questionKey = questionKey
        self.optionIDs = optionIDs
    }

    init(fields: FieldReader) throws {
        questionKey = try fields.string("question_key", "questionkey") ?? ""
        guard let container = try fields.object("option_ids", "optionids"),
              let (path, elements) = container.list("option_id", "optionid")
        else {
            optionIDs = []
            return
        }
        optionIDs = try elements.enumerated().map { index, element in
            try FieldReader.string(element, path: "\(path)[\(index)]")
        }
    }
}
