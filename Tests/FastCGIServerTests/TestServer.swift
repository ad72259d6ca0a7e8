import FastCGITestClient
import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
@testable import FastCGIServer

/// Collects what an application saw.
final class RequestRecorder: Sendable {
    private let requests = Mutex<[FastCGIRequest]>([])
    func append(_ request: FastCGIRequest) { requests.withLock { $0.append(request) } }
    var all: [FastCGIRequest] { requests.withLock { $0 } }
}

/// An application that records each request and answers with `handler`.
final class RecordingApplication: FastCGIApplication {
    let recorder: RequestRecorder
    let handler: @Sendable (FastCGIRequest) -> FastCGIResponse

    init(recorder: RequestRecorder, handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse) {
        self.recorder = recorder
        self.handler = handler
    }

    func respond(to request: FastCGIRequest) -> FastCGIResponse {
        recorder.append(request)
        return handler(request)
    }
}

/// A log handler that keeps every record, for checking the one-line-per-request contract.
final class LogCapture: Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
        var text: String { message + " " + metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// The server logs after `FCGX_Finish_r`, so the client can see the response first:
    /// waits (up to 5 s) until `count` records exist.
    func waitFor(count: Int) -> [Record] {
        let deadline = ContinuousClock.now + .seconds(5)
        while all.count < count && ContinuousClock.now < deadline { usleep(1_000) }
        return all
    }

    func logger() -> Logger {
        Logger(label: "fastcgi-test") { _ in Handler(capture: self) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(Record(level: event.level, message: event.message.description,
                                  metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// A short unique directory for unix sockets (sun_path is limited to 107 bytes).
func makeTemporaryDirectory() throws -> String {
    var template = Array("/tmp/fcgi-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw FastCGITestClient.Failure(description: "mkdtemp failed") }
    return String(cString: made)
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// A server serving on a background thread over a fresh unix socket.
struct RunningServer {
    let socketPath: String
    let recorder: RequestRecorder
    let logs: LogCapture

    func send(_ params: [(String, String)], stdin: [UInt8] = []) throws -> FastCGITestClient.Response {
        try FastCGITestClient.send(to: socketPath, params: params, stdin: stdin)
    }

    func sendObservingClose(_ params: [(String, String)], stdin: [UInt8] = [])
        throws -> (FastCGITestClient.Response, FastCGITestClient.ServerClose) {
        try FastCGITestClient.sendObservingClose(to: socketPath, params: params, stdin: stdin)
    }
}

/// Starts `serve` on its own Thread (blocking C must stay off the cooperative pool), runs
/// `body`, then stops the server with `requestShutdown()` and checks that `serve` returned.
func withRunningServer(
    options: FastCGIServerOptions = FastCGIServerOptions(),
    handler: @escaping @Sendable (FastCGIRequest) -> FastCGIResponse = { _ in FastCGIResponse(status: 200) },
    prepareSocketPath: (String) throws -> Void = { _ in },
    _ body: (RunningServer) throws -> Void
) throws {
    let directory = try makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    let socketPath = directory + "/s.sock"
    try prepareSocketPath(socketPath)
    let logs = LogCapture()
    let recorder = RequestRecorder()
    let server = try FastCGIServer(listener: .unix(path: socketPath), options: options, logger: logs.logger())
    let finished = DispatchSemaphore(value: 0)
    let serveError = Mutex<String?>(nil)
    let thread = Thread {
        do {
            try server.serve(RecordingApplication(recorder: recorder, handler: handler))
        } catch {
            serveError.withLock { $0 = "\(error)" }
        }
        finished.signal()
    }
    thread.start()
    defer {
        server.requestShutdown()
        if finished.wait(timeout: .now() + 10) != .success {
            Issue.record("serve() did not return within 10 s of requestShutdown()")
        }
    }
    try body(RunningServer(socketPath: socketPath, recorder: recorder, logs: logs))
    if let error = serveError.withLock({ $0 }) { throw FastCGITestClient.Failure(description: "serve failed: \(error)") }
}
