import BotStore
import DifyClient
import WeComModel

extension JobRunner {
    /// Downloads the message's media from WeCom (its URLs expire after 5 minutes, so first),
    /// decrypts it with the bot's key and uploads it to Dify as the same `user`.
    func uploadMedia(_ queued: JobPayload, job: ClaimedJob, endpoint: DifyAgentEndpoint,
                     user: String) throws -> [DifyFileRef] {
        let urls = queued.mediaURLs
        guard !urls.isEmpty else { return [] }
        if case .video = queued.message.content { throw JobFailure.unsupportedMedia }
        let resolver = AgentEndpointResolver(configuration: configuration, stores: stores)
        guard let crypto = try resolver.crypto(botID: job.botID) else { throw JobFailure.media("no bot key to decrypt media") }
        var refs: [DifyFileRef] = []
        for url in urls {
            let fetched: FetchedResource
            do {
                fetched = try fetcher.fetch(url, maxBytes: settings.maxMediaBytes, allowPrivate: settings.allowPrivateFetch,
                                            maxRedirects: settings.maxRedirects, timeout: settings.fetchTimeout)
            } catch {
                throw JobFailure.media("download: \(error)")
            }
            let plain: [UInt8]
            do { plain = try crypto.decryptMedia(fetched.bytes) } catch { throw JobFailure.media("decrypt: \(error)") }
            guard let upload = MediaKind(sniffing: plain).upload else { throw JobFailure.unsupportedMedia }
            do {
                let id = try dify.uploadFile(plain, fileName: upload.fileName, mimeType: upload.mimeType,
                                             user: user, endpoint: endpoint, timeout: settings.uploadTimeout)
                refs.append(DifyFileRef(type: upload.difyType, uploadFileID: id))
            } catch {
                throw JobFailure.dify(error)
            }
            try renewLease(job)
        }
        return refs
    }
}
