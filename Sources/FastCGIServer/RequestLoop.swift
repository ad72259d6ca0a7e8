import CFastCGI
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The accept loop of one serving thread: one `FCGX_Request`, requests one at a time.
struct RequestLoop {
    let listenFD: Int32
    let maxBodyBytes: Int
    let logger: Logger
    /// Blocks the stop signals while a request is handled and unblocks them around `accept`
    /// (see `SignalHandling`).
    let masksSignals: Bool
    /// Checked before every accept and after every failed one; set by a signal or
    /// `FastCGIServer.requestShutdown()`.
    let shouldStop: () -> Bool

    /// The CGI parameters a request needs, in the order `serve` reads them.
    private static let paramNames = ["REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "REQUEST_URI", "CONTENT_LENGTH",
                                     "QUERY_STRING", "CONTENT_TYPE"].map { Array($0.utf8) }

    /// accept() errors that mean "out of resources for now": wait and retry instead of exiting.
    private static let transientAcceptErrors: Set<Int32> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    func run(_ application: FastCGIApplication) throws {
        try FastCGILibrary.initialize()
        let storage = try RequestStorage(listenFD: listenFD)
        defer { if masksSignals { SignalHandling.unblockStopSignals() } }
        while !shouldStop() {
            if masksSignals { SignalHandling.unblockStopSignals() }
            let rc = FCGX_Accept_r(storage.raw)
            if masksSignals { SignalHandling.blockStopSignals() }
            if rc < 0 {
                if shouldStop() { return }
                if Self.transientAcceptErrors.contains(-rc) {
                    logger.warning("accept failed, retrying in 100 ms",
                                   metadata: ["fcgi.error": "\(FastCGIError.library(function: "FCGX_Accept_r", code: rc))"])
                    usleep(100_000)
                    continue
                }
                throw FastCGIError.library(function: "FCGX_Accept_r", code: rc)
            }
            serve(AcceptedRequest(storage.raw), with: application)
        }
    }

    /// Reads the request, asks the application (unless the body is refused), writes the
    /// response, finishes the request, then logs one line.
    private func serve(_ request: consuming AcceptedRequest, with application: FastCGIApplication) {
        let started = ContinuousClock.now
        let params = request.params(Self.paramNames)
        let method = params[0] ?? ""
        let scriptName = params[1] ?? ""
        let pathInfo = params[2] ?? ""
        let requestURI = params[3] ?? ""

        let response: FastCGIResponse
        do {
            let body = try Self.body(of: request, declared: params[4], limit: maxBodyBytes)
            response = Self.checked(application.respond(to: FastCGIRequest(
                method: method, pathInfo: pathInfo, scriptName: scriptName, requestURI: requestURI,
                queryString: params[5] ?? "",
                contentType: params[6] ?? "",
                body: body)))
        } catch {
            response = Self.rejection(error.status, reason: error.reason)
            application.didRefuse(error, elapsed: ContinuousClock.now - started)
        }
        let written = request.write(ResponseWriter.encode(response))
        let elapsed = ContinuousClock.now - started
        request.finish()
        RequestLogLine(method: method, path: RequestLogLine.path(scriptName: scriptName, pathInfo: pathInfo,
                                                                 requestURI: requestURI),
                       response: response, elapsed: elapsed, writeFailed: !written).emit(to: logger)
    }

    /// The whole body as `CONTENT_LENGTH` declares it, or why it cannot be read.
    private static func body(of request: borrowing AcceptedRequest, declared: String?,
                             limit: Int) throws(FastCGIRefusal) -> [UInt8] {
        switch BodyLength(declared, limit: limit) {
        case .invalid:
            throw .invalidLength
        case let .tooLarge(declared):
            throw .tooLarge(declared: declared, limit: limit)
        case let .length(length):
            let body = request.readBody(length: length)
            guard body.count == length else { throw .truncatedBody(received: body.count, declared: length) }
            return body
        }
    }

    private static func rejection(_ status: Int, reason: String) -> FastCGIResponse {
        FastCGIResponse(status: status, body: Array("\(ResponseWriter.reasonPhrase(status))\n".utf8), reason: reason)
    }

    /// An application status outside 100…599 is a bug; answer 500 rather than send it.
    private static func checked(_ response: FastCGIResponse) -> FastCGIResponse {
        guard !(100...599).contains(response.status) else { return response }
        var fixed = rejection(500, reason: "application returned invalid status \(response.status)")
        fixed.logFields = response.logFields
        return fixed
    }
}

/// `CONTENT_LENGTH` as the loop needs it. nginx sends it empty for a GET, and sends the real
/// length even for a chunked client body (with `fastcgi_request_buffering on`, the default).
enum BodyLength: Equatable {
    case length(Int)
    case tooLarge(String)
    case invalid

    init(_ text: String?, limit: Int) {
        let text = text ?? ""
        if text.isEmpty {
            self = .length(0)
        } else if !text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            self = .invalid
        } else if let length = Int(text), length <= limit {
            self = .length(length)
        } else {
            self = .tooLarge(text.count > 20 ? String(text.prefix(20)) + "…" : text)
        }
    }
}
