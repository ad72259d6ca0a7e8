import Foundation

/// `POST /v1/files/upload` (docs/dify-api.md §4.5): multipart with a `file` part and a `user` field.
extension DifyStandIn {
    func handleUpload(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        var parts: [StandInMultipart.Part] = []
        let answer = { (response: CannedResponse, id: String?) in
            let file = parts.first { $0.name == "file" }
            var fields: [String: String] = [:]
            for part in parts where part.filename == nil {
                if let name = part.name { fields[name] = part.text }
            }
            self.uploadLog.append(RecordedUpload(http: request, status: response.status, id: id, user: fields["user"],
                                             filename: file?.filename, contentType: file?.contentType,
                                             bytes: file?.body ?? Data(), fields: fields))
            writer.respond(response)
        }

        if let failure = authFailure(request) { return answer(failure, nil) }
        do {
            parts = try StandInMultipart.parse(body: request.body, contentType: request.headers["Content-Type"])
        } catch {
            return answer(DifyErrorBody.response(status: 400, code: "no_file_uploaded", message: "Please upload your file."), nil)
        }
        let settings = settingsSnapshot
        if let canned = settings.uploadResponse { return answer(canned, nil) }

        let files = parts.filter { $0.filename != nil }
        guard let file = files.first, file.name == "file" else {
            return answer(DifyErrorBody.response(status: 400, code: "no_file_uploaded", message: "Please upload your file."), nil)
        }
        guard files.count == 1 else {
            return answer(DifyErrorBody.response(status: 400, code: "too_many_files", message: "Only one file is allowed."), nil)
        }
        guard let mimeType = file.contentType, !mimeType.isEmpty else {
            return answer(DifyErrorBody.response(status: 415, code: "unsupported_file_type", message: "File type not allowed."), nil)
        }
        if let limit = settings.uploadSizeLimit, file.body.count > limit {
            return answer(DifyErrorBody.response(
                status: 413, code: "file_too_large",
                message: "File size exceeded. \(file.filename ?? "file") is \(file.body.count) bytes, over the limit of \(limit)."), nil)
        }
        let user = parts.first { $0.name == "user" && $0.filename == nil }?.text ?? "DEFAULT-USER"

        let id = DifyStandIn.newID()
        let name = file.filename ?? ""
        let fileExtension = (name as NSString).pathExtension.lowercased()
        let previewPath = "/files/\(id)/file-preview"
        serve(path: previewPath, bytes: file.body, contentType: mimeType)
        let timestamp = Int(Date().timeIntervalSince1970)
        let sourceURL = url(for: previewPath) +
            "?timestamp=\(timestamp)&nonce=\(DifyStandIn.newID().replacingOccurrences(of: "-", with: ""))&sign=c3RhbmQtaW4"
        let body = JSONText.object([
            ("id", .string(id)), ("name", .string(name)), ("size", .int(file.body.count)),
            ("extension", .string(fileExtension)), ("mime_type", .string(mimeType)),
            ("created_by", .string(endUserID(for: user))), ("created_at", .int(timestamp)),
            ("preview_url", .null), ("source_url", .string(sourceURL)),
        ]).encoded(settings.jsonStyle)
        answer(CannedResponse(status: 201, body: body + "\n"), id)
    }
}
