import Foundation

/// A plain routed server (no Dify API): media files, redirects and a response_url sink on its
/// own origin — for tests that need a second host (e.g. a redirect across origins).
public final class MediaServer: ResponseURLReceiving {
    public let server: HTTPServer
    public let routes: RouteTable
    public let responseSink: ResponseURLSink

    public init() throws {
        let routes = RouteTable()
        self.routes = routes
        server = try HTTPServer(handler: routes.handle)
        responseSink = ResponseURLSink(routes: routes)
    }

    public var port: Int { server.port }
    public var baseURL: String { server.baseURL }
    public var requests: [HTTPRequest] { server.requests }

    public func stop() { server.stop() }
}
