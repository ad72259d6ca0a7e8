import Foundation

/// Request routing for the stand-in servers: exact paths first (later registrations win),
/// then the longest matching prefix. Paths are compared without the query string.
/// Unmatched requests get Flask's 404 / 405 JSON, as Dify's API answers them.
///
/// `@unchecked Sendable`: the route lists are guarded by `lock`; handlers are `@Sendable`.
public final class RouteTable: @unchecked Sendable {
    private struct Route {
        let method: String?
        let path: String
        let isPrefix: Bool
        let handler: HTTPHandler
    }

    private let lock = NSLock()
    private var routes: [Route] = []

    public init() {}

    /// Routes `path` (query ignored) for `method` (nil: any method) to `handler`.
    public func add(_ method: String? = nil, _ path: String, handler: @escaping HTTPHandler) {
        insert(Route(method: method?.uppercased(), path: RouteTable.normalize(path), isPrefix: false, handler: handler))
    }

    /// Routes every path starting with `prefix` to `handler`.
    public func addPrefix(_ method: String? = nil, _ prefix: String, handler: @escaping HTTPHandler) {
        insert(Route(method: method?.uppercased(), path: RouteTable.normalize(prefix), isPrefix: true, handler: handler))
    }

    /// Drops every route registered for exactly `path` (exact or prefix).
    public func remove(_ path: String) {
        let normalized = RouteTable.normalize(path)
        lock.lock()
        routes.removeAll { $0.path == normalized }
        lock.unlock()
    }

    private func insert(_ route: Route) {
        lock.lock()
        routes.removeAll { $0.path == route.path && $0.method == route.method && $0.isPrefix == route.isPrefix }
        routes.append(route)
        lock.unlock()
    }

    static func normalize(_ path: String) -> String {
        var path = path
        if let mark = path.firstIndex(of: "?") { path = String(path[..<mark]) }
        return path.hasPrefix("/") ? path : "/" + path
    }

    /// Dispatches `request`; usable directly as an `HTTPServer` handler.
    public func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        lock.lock()
        let snapshot = routes
        lock.unlock()
        let method = request.method.uppercased()
        let methodMatches = { (route: Route) in
            route.method == nil || route.method == method || (method == "HEAD" && route.method == "GET")
        }

        let exact = snapshot.filter { !$0.isPrefix && $0.path == request.path }
        if let route = exact.last(where: methodMatches) {
            return route.handler(request, writer)
        }
        let prefixes = snapshot.filter { $0.isPrefix && request.path.hasPrefix($0.path) }
        if exact.isEmpty, let route = prefixes.filter(methodMatches).max(by: { $0.path.count < $1.path.count }) {
            return route.handler(request, writer)
        }
        if !exact.isEmpty || !prefixes.isEmpty {
            return writer.respond(DifyErrorBody.methodNotAllowed)
        }
        writer.respond(DifyErrorBody.notFoundURL)
    }
}
