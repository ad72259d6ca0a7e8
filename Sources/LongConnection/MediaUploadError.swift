/// Why an upload did not give a `media_id`. A failure of the connection itself (not connected,
/// no ack in time) comes as the sender's error, a ``LongConnectionError``.
public enum MediaUploadError: Error, Equatable, CustomStringConvertible {
    /// Nothing to upload.
    case empty(MediaType)
    /// Larger than WeCom takes for the type; refused before anything was sent.
    case tooLarge(MediaType, bytes: Int, limit: Int)
    /// A step's ack carried an error code.
    case refused(FrameCommand, errcode: Int, errmsg: String)
    /// A step's ack lacked what the next step needs (`upload_id`, `media_id`).
    case incompleteAck(FrameCommand, missing: String)

    public var description: String {
        switch self {
        case let .empty(type): return "\(type.rawValue) upload: the file is empty"
        case let .tooLarge(type, bytes, limit): return "\(type.rawValue) upload: \(bytes) bytes exceed WeCom's limit of \(limit)"
        case let .refused(command, errcode, errmsg): return "\(command) refused: \(errcode) \(errmsg)"
        case let .incompleteAck(command, missing): return "\(command) ack without \(missing)"
        }
    }
}
