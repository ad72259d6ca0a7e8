import StrictBase64
import WeComCrypto
import WeComModel

/// One `stream` reply frame as WeCom receives it (the simulator's side of a reply).
struct ReceivedFrame {
    let id: String
    let content: String
    let finish: Bool
    /// `msg_item` images: base64 and md5.
    let images: [(base64: String, md5: String)]

    init(reply: JSONValue, step: String) throws {
        guard reply["msgtype"]?.stringValue == "stream", let stream = reply["stream"],
              let id = stream["id"]?.stringValue else {
            throw CommandFailure("\(step): the reply is not a stream frame: "
                                 + Formatting.excerpt(String(decoding: reply.jsonBytes(), as: UTF8.self), 120))
        }
        self.id = id
        content = stream["content"]?.stringValue ?? ""
        finish = stream["finish"]?.boolValue ?? false
        images = (stream["msg_item"]?.arrayValue ?? []).map { item in
            (item["image"]?["base64"]?.stringValue ?? "", item["image"]?["md5"]?.stringValue ?? "")
        }
    }

    /// Images whose base64 does not decode or whose md5 does not match (WeCom would refuse them).
    var badImages: [Int] {
        images.indices.filter { index in
            guard let bytes = Base64.decode(images[index].base64) else { return true }
            return Digest.md5Hex(bytes) != images[index].md5.lowercased()
        }
    }
}
