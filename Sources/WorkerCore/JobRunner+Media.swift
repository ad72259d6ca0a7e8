import BotStore
import DifyClient
import WeComCrypto
import WeComModel

extension JobRunner {
    /// Downloads the message's media from WeCom (its URLs expire after 5 minutes, so first),
    /// decrypts each file with its own `aeskey` (long-connection mode) or the bot's key
    /// (callback mode) and uploads it to Dify as the same `user`.
    func uploadMedia(_ queued: JobPayload, job: ClaimedJob, endpoint: DifyAgentEndpoint,
                     user: String) throws -> [DifyFileRef] {
        let sources = queued.media
        guard !sources.isEmpty else { return [] }
        if case .video = queued.message.content { throw JobFailure.unsupportedMedia }
        // The bot's key only for files without a key of their own: a long-connection bot has none.
        let botKey = sources.contains { $0.aesKey == nil }
            ? try AgentEndpointResolver(configuration: configuration, stores: stores).mediaKey(botID: job.botID) : nil
        let keys = try sources.map { source throws -> AESKey in
            guard let text = source.aesKey else {
                guard let botKey else { throw JobFailure.media("no bot key to decrypt media") }
                return botKey
            }
            do { return try AESKey(mediaAESKey: text) } catch { throw JobFailure.media("decrypt: \(error)") }
        }
        var refs: [DifyFileRef] = []
        for (source, key) in zip(sources, keys) {
            let fetched: FetchedResource
            do {
                fetched = try fetcher.fetch(source.url, maxBytes: settings.maxMediaBytes, allowPrivate: settings.allowPrivateFetch,
                                            maxRedirects: settings.maxRedirects, timeout: settings.fetchTimeout)
            } catch {
                metrics.mediaDownload(succeeded: false)
                throw JobFailure.media("download: \(error)")
            }
            metrics.mediaDownload(succeeded: true)
            let plain: [UInt8]
            do { plain = try key.decryptMedia(fetched.bytes) } catch { throw JobFailure.media("decrypt: \(error)") }
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
