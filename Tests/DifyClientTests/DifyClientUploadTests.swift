import Testing
@testable import DifyClient

/// One part of a `multipart/form-data` body.
private struct FormPart: Equatable {
    var headers: [String]
    var body: [UInt8]
}

/// Splits a multipart body on its boundary (test-side only; no header folding or preamble tricks).
private func parseMultipart(_ body: [UInt8], contentType: String) throws -> [FormPart] {
    let boundary = try #require(contentType.components(separatedBy: "boundary=").last)
    let delimiter = Array("\r\n--\(boundary)".utf8)
    let bytes = Array("\r\n".utf8) + body  // so the first delimiter has its CRLF too
    var starts: [Int] = []
    var index = 0
    while index + delimiter.count <= bytes.count {
        if bytes[index..<index + delimiter.count].elementsEqual(delimiter) {
            starts.append(index)
            index += delimiter.count
        } else {
            index += 1
        }
    }
    var parts: [FormPart] = []
    for (start, end) in zip(starts, starts.dropFirst()) {
        let part = Array(bytes[(start + delimiter.count + 2)..<end])  // skip the CRLF after the boundary
        let separator: [UInt8] = [13, 10, 13, 10]
        let headEnd = try #require(part.indices.first { part[$0...].starts(with: separator) })
        let head = String(decoding: part[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        parts.append(FormPart(headers: head, body: Array(part[(headEnd + 4)...])))
    }
    return parts
}

@Suite(.timeLimit(.minutes(1))) struct DifyClientUploadTests {
    private let key = "app-UPLOADKEY"

    @Test func aFileIsUploadedAsMultipartWithItsBytesIntact() throws {
        let server = LoopbackHTTPServer { _, connection in
            connection.respond(
                status: 201, reason: "CREATED", contentType: "application/json",
                body: #"{"id":"72fa9618-8f89-4a37-9b33-7e1178a24a67","name":"photo.png","size":1024,"extension":"png","mime_type":"image/png"}"#)
        }
        defer { server.stop() }
        // Every byte value, plus sequences that look like multipart structure.
        let file = (0...255).map(UInt8.init) + Array("\r\n--boundary\r\n\r\n".utf8) + [0, 0, 0xFF, 0xD8]
        let id = try DifyClient().uploadFile(
            file, fileName: "photo.png", mimeType: "image/png", user: "wecom:corp:用户",
            endpoint: DifyAgentEndpoint(baseURL: server.origin + "/v1/", apiKey: key))
        #expect(id == "72fa9618-8f89-4a37-9b33-7e1178a24a67")

        let received = try #require(server.requests.first)
        #expect(received.method == "POST")
        #expect(received.target == "/v1/files/upload")
        #expect(received.headers["authorization"] == "Bearer \(key)")
        let contentType = try #require(received.headers["content-type"])
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let parts = try parseMultipart(received.body, contentType: contentType)
        #expect(parts.count == 2)
        let filePart = try #require(parts.first { $0.headers.contains { $0.contains(#"name="file""#) } })
        #expect(filePart.headers.contains(#"Content-Disposition: form-data; name="file"; filename="photo.png""#))
        #expect(filePart.headers.contains("Content-Type: image/png"))
        #expect(filePart.body == file)
        let userPart = try #require(parts.first { $0.headers.contains { $0.contains(#"name="user""#) } })
        #expect(String(decoding: userPart.body, as: UTF8.self) == "wecom:corp:用户")
    }

    @Test func status200IsAcceptedToo() throws {
        let server = LoopbackHTTPServer { _, connection in
            connection.respond(status: 200, contentType: "application/json", body: #"{"id":"f-200"}"#)
        }
        defer { server.stop() }
        let id = try DifyClient().uploadFile(
            [1, 2, 3], fileName: "a.txt", mimeType: "text/plain", user: "u",
            endpoint: DifyAgentEndpoint(baseURL: server.origin + "/v1", apiKey: key))
        #expect(id == "f-200")
    }

    @Test func aRejectedUploadIsAnHTTPError() {
        let server = LoopbackHTTPServer { _, connection in
            connection.respond(
                status: 413, reason: "REQUEST ENTITY TOO LARGE", contentType: "application/json",
                body: #"{"code":"file_too_large","message":"File size exceeded. 10.00 MB > 10 MB","status":413}"#)
        }
        defer { server.stop() }
        #expect(throws: DifyError.http(status: 413, code: "file_too_large", message: "File size exceeded. 10.00 MB > 10 MB")) {
            try DifyClient().uploadFile(
                [UInt8](repeating: 7, count: 100_000), fileName: "big.png", mimeType: "image/png", user: "u",
                endpoint: DifyAgentEndpoint(baseURL: server.origin + "/v1", apiKey: key))
        }
    }

    @Test func aResponseWithoutAnIDIsInvalid() {
        let server = LoopbackHTTPServer { _, connection in
            connection.respond(status: 201, reason: "CREATED", contentType: "application/json", body: #"{"name":"x"}"#)
        }
        defer { server.stop() }
        #expect(throws: DifyError.invalidResponse("upload response (HTTP 201) has no file id")) {
            try DifyClient().uploadFile(
                [1], fileName: "a.png", mimeType: "image/png", user: "u",
                endpoint: DifyAgentEndpoint(baseURL: server.origin + "/v1", apiKey: key))
        }
    }

    @Test func uploadsAndChatsShareOneConnection() throws {
        let server = LoopbackHTTPServer { request, connection in
            connection.keepAlive = true
            if request.target.hasSuffix("/files/upload") {
                connection.respond(status: 201, reason: "CREATED", contentType: "application/json", body: #"{"id":"f1"}"#)
            } else {
                connection.writeHead(status: 200, headers: ["Content-Type: text/event-stream", "Transfer-Encoding: chunked"])
                connection.writeChunk(Array("data: {\"event\":\"message_end\",\"conversation_id\":\"c\"}\n\n".utf8))
                connection.endChunks()
            }
        }
        defer { server.stop() }
        let client = DifyClient()
        let endpoint = DifyAgentEndpoint(baseURL: server.origin + "/v1", apiKey: key)
        let id = try client.uploadFile([9, 9], fileName: "a.png", mimeType: "image/png", user: "u", endpoint: endpoint)
        let outcome = try client.streamChat(
            ChatRequest(query: "what is this?", user: "u", files: [DifyFileRef(type: "image", uploadFileID: id)]),
            endpoint: endpoint, limits: StreamLimits(idleTimeout: 20, totalTimeout: 60)
        ) { _, _ in .continue }
        guard case .finished(let summary) = outcome else {
            Issue.record("expected a finished stream, got \(outcome)")
            return
        }
        #expect(summary.conversationID == "c")
        #expect(server.connectionCount == 1)
    }
}
