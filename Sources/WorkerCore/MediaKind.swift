/// What a downloaded file is, from its first bytes (WeCom media carries no name or type).
public enum MediaKind: Equatable, Sendable {
    case jpeg, png, gif, webp, pdf, text, other

    public init(sniffing bytes: [UInt8]) {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if starts(Array("GIF8".utf8)) { self = .gif }
        else if starts(Array("RIFF".utf8)) && bytes.count >= 12 && Array(bytes[8..<12]) == Array("WEBP".utf8) { self = .webp }
        else if starts(Array("%PDF".utf8)) { self = .pdf }
        else if !bytes.isEmpty && !bytes.contains(0) && String(validating: bytes.prefix(4096), as: UTF8.self) != nil { self = .text }
        else { self = .other }
    }

    /// Images WeCom accepts in a reply's `msg_item`.
    public var isReplyImage: Bool { self == .jpeg || self == .png }
    public var isImage: Bool { self == .jpeg || self == .png || self == .gif || self == .webp }

    /// File name and MIME type for a Dify upload; nil when Dify would not take it.
    public var upload: (fileName: String, mimeType: String, difyType: String)? {
        switch self {
        case .jpeg: return ("image.jpg", "image/jpeg", "image")
        case .png: return ("image.png", "image/png", "image")
        case .gif: return ("image.gif", "image/gif", "image")
        case .webp: return ("image.webp", "image/webp", "image")
        case .pdf: return ("file.pdf", "application/pdf", "document")
        case .text: return ("file.txt", "text/plain", "document")
        case .other: return nil
        }
    }
}
