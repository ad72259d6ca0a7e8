import DifyStandIn
import Foundation
import Testing
@testable import DifyClient

@Suite(.timeLimit(.minutes(1))) struct DifyClientUploadTests {
    private let key = "app-UPLOADKEY"

    private func endpoint(_ standIn: DifyStandIn) -> DifyAgentEndpoint {
        DifyAgentEndpoint(baseURL: standIn.apiBaseURL, apiKey: key)
    }

    @Test func aFileIsUploadedAsMultipartWithItsBytesIntact() throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        // Every byte value, plus sequences that look like multipart structure.
        let file = (0...255).map(UInt8.init) + Array("\r\n--boundary\r\n\r\n".utf8) + [0, 0, 0xFF, 0xD8]
        let id = try DifyClient().uploadFile(
            file, fileName: "photo.png", mimeType: "image/png", user: "wecom:corp:用户",
            endpoint: DifyAgentEndpoint(baseURL: standIn.apiBaseURL + "/", apiKey: key))

        let upload = try #require(standIn.uploads.first)
        #expect(standIn.uploads.count == 1)
        #expect(upload.status == 201)
        #expect(id == upload.id)
        #expect(upload.http.method == "POST")
        #expect(upload.http.target == "/v1/files/upload")
        #expect(upload.http.headers["Authorization"] == "Bearer \(key)")
        #expect(upload.http.headers["Content-Type"]?.hasPrefix("multipart/form-data; boundary=") == true)
        #expect(upload.filename == "photo.png")
        #expect(upload.contentType == "image/png")
        #expect([UInt8](upload.bytes) == file)
        #expect(upload.fields == ["user": "wecom:corp:用户"])
    }

    @Test func status200IsAcceptedToo() throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.uploadResponse = CannedResponse(status: 200, body: #"{"id":"f-200"}"#)
        let id = try DifyClient().uploadFile(
            [1, 2, 3], fileName: "a.txt", mimeType: "text/plain", user: "u", endpoint: endpoint(standIn))
        #expect(id == "f-200")
    }

    @Test func aRejectedUploadIsAnHTTPError() throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.uploadSizeLimit = 50_000
        #expect(throws: DifyError.http(status: 413, code: "file_too_large",
                                       message: "File size exceeded. big.png is 100000 bytes, over the limit of 50000.")) {
            try DifyClient().uploadFile(
                [UInt8](repeating: 7, count: 100_000), fileName: "big.png", mimeType: "image/png", user: "u",
                endpoint: endpoint(standIn))
        }
    }

    /// A 2xx answer whose body has no usable `id`: none, empty, not a string, not JSON, or an
    /// id that is not UTF-8.
    @Test(arguments: [#"{"name":"x"}"#, #"{"id":""}"#, #"{"id":42}"#, #"{"id":null}"#, "<html>ok</html>"].map { Data($0.utf8) }
          + [Data(#"{"id":"f"#.utf8) + Data([0xFF]) + Data(#""}"#.utf8)])
    func aResponseWithoutAnIDIsInvalid(body: Data) throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.uploadResponse = CannedResponse(status: 201, body: body)
        #expect(throws: DifyError.invalidResponse("upload response (HTTP 201) has no file id")) {
            try DifyClient().uploadFile([1], fileName: "a.png", mimeType: "image/png", user: "u", endpoint: endpoint(standIn))
        }
    }

    @Test func anIDIsReadWhateverElseTheResponseHolds() throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.uploadResponse = CannedResponse(
            status: 201, body: #" {"size":1,"id":"f-\u00e9","extra":{"nested":[1,true,null]},"created_at":1.7e9} "#)
        #expect(try DifyClient().uploadFile([1], fileName: "a.png", mimeType: "image/png", user: "u",
                                            endpoint: endpoint(standIn)) == "f-é")
    }

    @Test func uploadsAndChatsShareOneConnection() throws {
        let standIn = try DifyStandIn(apiKey: key)
        defer { standIn.stop() }
        standIn.defaultScript = .answer(chunks: ["It is a cat."], conversationID: "c")
        let client = DifyClient()
        let endpoint = endpoint(standIn)
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
        #expect(summary.answer == "It is a cat.")
        #expect(standIn.chatRequests.first?.files.first?["upload_file_id"]?.stringValue == id)
        #expect(standIn.server.acceptedConnections == 1)
    }
}
