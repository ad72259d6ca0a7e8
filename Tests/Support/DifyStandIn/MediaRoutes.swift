import Foundation

/// A stand-in server built on a `RouteTable`: it can serve fixed bytes and redirects.
/// `DifyStandIn` and `MediaServer` both conform.
public protocol RoutedHTTPServer: AnyObject, Sendable {
    var routes: RouteTable { get }
    /// `http://127.0.0.1:PORT`
    var baseURL: String { get }
}

extension RoutedHTTPServer {
    /// The absolute URL of `path` on this server.
    public func url(for path: String) -> String {
        baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Serves `bytes` at `path` (GET and HEAD; the query string is ignored, so signed URLs
    /// with `?timestamp=…&sign=…` match). `chunked` sends the body with chunked encoding in
    /// several writes instead of one `Content-Length` body. Returns the absolute URL.
    @discardableResult
    public func serve(path: String, bytes: Data, contentType: String, chunked: Bool = false,
                      status: Int = 200, headers: [String: String] = [:]) -> String {
        routes.add("GET", path) { _, writer in
            var all = headers
            all["Content-Type"] = contentType
            guard chunked else {
                return writer.respond(status: status, headers: all, body: bytes)
            }
            guard writer.writeHead(status: status, headers: all, framing: .chunked) else { return }
            for piece in MediaChunks.split(bytes) {
                guard writer.write(piece) else { return }
            }
            writer.finish()
        }
        return url(for: path)
    }

    /// Same as `serve(path:bytes:contentType:)`; the name Dify tests read better with
    /// (`/files/tools/x.png` answer images).
    @discardableResult
    public func serveFile(path: String, bytes: Data, contentType: String) -> String {
        serve(path: path, bytes: bytes, contentType: contentType)
    }

    /// Answers `path` (any method) with a redirect to `location` (absolute or relative).
    @discardableResult
    public func redirect(path: String, to location: String, status: Int = 302) -> String {
        routes.add(nil, path) { _, writer in
            writer.respond(status: status, headers: ["Location": location, "Content-Type": "text/html"],
                           body: Data("<a href=\"\(location)\">redirect</a>".utf8))
        }
        return url(for: path)
    }

    /// Stops serving `path`.
    public func unserve(path: String) { routes.remove(path) }
}

enum MediaChunks {
    /// Splits a body into about four uneven pieces (first piece small, so magic bytes straddle
    /// a chunk boundary).
    static func split(_ data: Data) -> [Data] {
        let bytes = [UInt8](data)
        guard bytes.count > 3 else { return [data] }
        var cuts = [1, bytes.count / 3, (bytes.count * 2) / 3 + 1, bytes.count]
        cuts = Array(Set(cuts.filter { $0 > 0 && $0 <= bytes.count })).sorted()
        var pieces: [Data] = []
        var start = 0
        for cut in cuts where cut > start {
            pieces.append(Data(bytes[start..<cut]))
            start = cut
        }
        return pieces
    }
}
