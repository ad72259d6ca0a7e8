@testable import WeComModel

/// Callback plaintexts shaped like the examples of docs/wecom-protocol.md (§4.2–§4.5, §10).
enum Payloads {
    static let textDM = #"""
        {"msgid":"CAIQ16HMjQYY\/NGagIOAgAMgq4KM0AI=","aibotid":"aibBOTID","chattype":"single",
         "from":{"userid":"zhangsan"},
         "response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=CODE",
         "msgtype":"text","text":{"content":"hello robot"}}
        """#

    static let groupText = #"""
        {"msgid":"0ad92cd9fe284245bcb776c9214475e3","aibotid":"aibBOTID","chatid":"wrCHATID",
         "chattype":"group","from":{"userid":"lisi"},"response_url":"https://example.invalid/r",
         "msgtype":"text","text":{"content":"@RobotA hello robot"}}
        """#

    static let image = #"""
        {"msgid":"m-image","aibotid":"aibBOTID","chattype":"single","from":{"userid":"zhangsan"},
         "response_url":"https://example.invalid/r","msgtype":"image",
         "image":{"url":"https://cos.example.com/img?sign=1"}}
        """#

    static let mixed = #"""
        {"msgid":"m-mixed","aibotid":"aibBOTID","chatid":"wrCHATID","chattype":"group",
         "from":{"userid":"zhangsan"},"msgtype":"mixed","mixed":{"msg_item":[
           {"msgtype":"text","text":{"content":"@RobotA 看这张图"}},
           {"msgtype":"image","image":{"url":"https://cos.example.com/a.png"}},
           {"msgtype":"sticker","sticker":{}}]}}
        """#

    static let voice = #"""
        {"msgid":"m-voice","aibotid":"aibBOTID","chattype":"single","from":{"userid":"zhangsan"},
         "msgtype":"voice","voice":{"content":"今天天气怎么样"}}
        """#

    static let file = #"""
        {"msgid":"m-file","aibotid":"aibBOTID","chattype":"single","from":{"userid":"zhangsan"},
         "msgtype":"file","file":{"url":"https://cos.example.com/f.pdf"}}
        """#

    static let video = #"""
        {"msgid":"m-video","aibotid":"aibBOTID","chattype":"single","from":{"userid":"zhangsan"},
         "msgtype":"video","video":{"url":"https://cos.example.com/v.mp4"}}
        """#

    static let textQuotingImage = #"""
        {"msgid":"m-q1","aibotid":"aibBOTID","chattype":"single","from":{"userid":"zhangsan"},
         "msgtype":"text","text":{"content":"这张图里是什么"},
         "quote":{"msgtype":"image","image":{"url":"https://cos.example.com/q.jpg"}}}
        """#

    static let textQuotingText = #"""
        {"msgid":"m-q2","aibotid":"aibBOTID","chatid":"wrCHATID","chattype":"group",
         "from":{"userid":"zhangsan"},"msgtype":"text","text":{"content":"@RobotA 总结一下"},
         "quote":{"msgtype":"text","text":{"content":"这是今日的测试情况"}}}
        """#

    static let streamRefresh = #"""
        {"msgid":"m-refresh","aibotid":"aibBOTID","chatid":"wrCHATID","chattype":"group",
         "from":{"userid":"zhangsan"},"msgtype":"stream","stream":{"id":"stream-0001"}}
        """#

    static let enterChat = #"""
        {"msgid":"m-enter","create_time":1700000000,"aibotid":"aibBOTID",
         "from":{"corpid":"wpCORP","userid":"zhangsan"},"msgtype":"event",
         "event":{"eventtype":"enter_chat"}}
        """#

    static let cardEventSnake = #"""
        {"msgid":"m-card1","create_time":1700000001,"aibotid":"aibBOTID","chattype":"single",
         "from":{"userid":"zhangsan"},"response_url":"https://example.invalid/r","msgtype":"event",
         "event":{"eventtype":"template_card_event","template_card_event":{
           "card_type":"vote_interaction","event_key":"submit","task_id":"task-1",
           "selected_items":{"selected_item":[
             {"question_key":"q1","option_ids":{"option_id":["a","b"]}},
             {"question_key":"q2","option_ids":{"option_id":["c"]}}]}}}}
        """#

    static let cardEventTables = #"""
        {"msgid":"m-card2","aibotid":"aibBOTID","chattype":"group","chatid":"wrCHATID",
         "from":{"userid":"zhangsan"},"msgtype":"event",
         "event":{"eventtype":"template_card_event","template_card_event":{
           "cardtype":"multiple_interaction","eventkey":"done","taskid":"task-2",
           "selecteditems":{"selecteditem":[{"questionkey":"k","optionids":{"optionid":["x","y"]}}]}}}}
        """#

    static let cardEventButton = #"""
        {"msgid":"m-card3","aibotid":"aibBOTID","from":{"userid":"zhangsan"},"msgtype":"event",
         "event":{"eventtype":"template_card_event","template_card_event":{
           "card_type":"button_interaction","event_key":"btn-ok","task_id":"task-3"}}}
        """#

    static let feedback = #"""
        {"msgid":"m-fb","create_time":1700000002,"aibotid":"aibBOTID","chattype":"single",
         "from":{"userid":"zhangsan"},"msgtype":"event",
         "event":{"eventtype":"feedback_event","feedback_event":{
           "id":"fb-1","type":2,"content":"答非所问","inaccurate_reason_list":[1,3]}}}
        """#

    static let location = #"""
        {"msgid":"m-loc","aibotid":"aibBOTID","from":{"userid":"zhangsan"},"msgtype":"location",
         "location":{"latitude":1.5,"longitude":"not checked"}}
        """#

    static let unknownEvent = #"""
        {"msgid":"m-dis","aibotid":"aibBOTID","from":{"userid":"zhangsan"},"msgtype":"event",
         "event":{"eventtype":"disconnected_event"}}
        """#

    /// docs/wecom-protocol.md §10.2 V2 plaintext, byte for byte.
    static let v2 = #"{"msgid":"CAIQ16HMjQYYtestmsgid0001","aibotid":"aibTESTBOTID","chatid":"wrTESTCHATID","chattype":"group","from":{"userid":"zhangsan"},"response_url":"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=TESTCODE","msgtype":"text","text":{"content":"@RobotA 你好，帮我总结一下"}}"#
}

extension InboundMessage {
    /// Decodes a fixture string.
    static func decode(_ json: String) throws -> InboundMessage {
        try decode(Array(json.utf8))
    }
}
