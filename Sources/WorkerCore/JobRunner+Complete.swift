import BotStore
import DifyClient
import Logging
import WeComCrypto
import WeComModel

extension JobRunner {
    /// The answer is in: fetch its images, finish the stream, and send what the stream
    /// cannot carry (past the 6-minute window, or past 20480 bytes) through response_url. A
    /// long-connection answer is finished whole: `wecom-ws` sends what a frame cannot carry.
    func complete(_ job: ClaimedJob, answer: ChatSummary, agent: AgentEndpointResolver.Agent, stream: AnswerStream,
                  log: Logger) throws -> String {
        let (images, fetched) = try answerImages(answer: answer.answer, files: answer.files, job: job, agent: agent, log: log)
        var display = MarkdownImages.displayText(answer.answer, fetched: fetched)
        if display.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && images.isEmpty {
            display = UserNotice.emptyAnswer
        }
        if stream.longConnection {
            return try finish(job, JobOutcome(kind: .done, content: display, images: images))
        }
        let late = stream.closedEarly || stream.deadline.hasPassed(now: clock())
        let (head, rest) = StreamContent.split(display)
        // Finishing just inside the window's last half minute: WeCom may still poll, and the
        // answer goes through response_url, so the stream only says so (no answer twice).
        let racing = late && !stream.closedEarly
        let word = try finish(job, JobOutcome(kind: .done, content: racing ? UserNotice.stillWorking : head,
                                              images: racing ? [] : images))
        if late {
            deliverLate(job, content: display, log: log)
        } else if !rest.isEmpty {
            deliverLate(job, content: rest, log: log)
        }
        return word
    }

    /// Up to 10 JPG/PNG images of at most 10 MB from the answer's markdown and message_file
    /// events, fetched right away (Dify's signed URLs expire). Returns them and the markdown
    /// URLs that were fetched.
    private func answerImages(answer: String, files: [String], job: ClaimedJob, agent: AgentEndpointResolver.Agent,
                              log: Logger) throws -> ([StreamImage], Set<String>) {
        var candidates: [(source: String, url: String)] = []
        var seen: Set<String> = []
        for source in MarkdownImages.find(in: answer).map(\.url) + files {
            guard let base = agent.endpoint?.baseURL, let url = MarkdownImages.resolve(source, difyBaseURL: base),
                  seen.insert(url).inserted else {
                continue
            }
            candidates.append((source, url))
        }
        var images: [StreamImage] = []
        var fetched: Set<String> = []
        for candidate in candidates where images.count < settings.maxImages {
            do {
                let resource = try fetcher.fetch(candidate.url, maxBytes: settings.maxImageBytes,
                                                 allowPrivate: settings.allowPrivateFetch,
                                                 maxRedirects: settings.maxRedirects, timeout: settings.fetchTimeout)
                guard MediaKind(sniffing: resource.bytes).isReplyImage else {
                    log.notice("answer image skipped: not JPG or PNG")
                    continue
                }
                images.append(StreamImage(data: resource.bytes, md5: Digest.md5Hex(resource.bytes)))
                fetched.insert(candidate.source)
            } catch {
                log.notice("answer image skipped: \(error)")
            }
            try renewLease(job)
        }
        return (images, fetched)
    }

    /// Posts `content` once to the message's response_url (markdown, ≤ 20480 bytes).
    func deliverLate(_ job: ClaimedJob, content: String, log: Logger) {
        guard let url = job.responseURL, !url.isEmpty else {
            log.warning("answer not delivered: the message had no response_url")
            return
        }
        do {
            guard try withStore({ try $0.claimResponseDelivery(streamID: job.streamID, now: nowSeconds) }) else {
                log.notice("response_url already used for this message")
                return
            }
            let result = try poster.post(json: MarkdownMessage(content: content).jsonBytes(), to: url,
                                         allowedOrigins: settings.responseURLAllow)
            metrics.answerFallback(.lateDelivery)
            log.info("answer posted to response_url", metadata: ["status": "\(result.status)"])
        } catch {
            log.error("response_url delivery failed: \(error)")
        }
    }
}
