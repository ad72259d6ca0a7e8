/// A request the server answers itself, before the application sees it, because its body
/// cannot be read as declared. The application hears of it (`FastCGIApplication.didRefuse`) so
/// that its counts include every request answered.
public enum FastCGIRefusal: Error, Equatable {
    /// `CONTENT_LENGTH` is not a number.
    case invalidLength
    /// `CONTENT_LENGTH` is over the body limit (`declared`, shortened for the log line).
    case tooLarge(declared: String, limit: Int)
    /// The body ended before `CONTENT_LENGTH` bytes.
    case truncatedBody(received: Int, declared: Int)

    public var status: Int {
        switch self {
        case .invalidLength, .truncatedBody: 400
        case .tooLarge: 413
        }
    }

    /// The one-line reason of the log line.
    public var reason: String {
        switch self {
        case .invalidLength: "CONTENT_LENGTH is not a number"
        case let .tooLarge(declared, limit): "body of \(declared) bytes exceeds the limit of \(limit)"
        case let .truncatedBody(received, declared): "body ended after \(received) of \(declared) bytes"
        }
    }
}
