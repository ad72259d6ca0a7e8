import BotStore
import DifyClient
import WeComModel

extension JobRunner {
    /// Streams Dify's answer into the stream row; a stale conversation id is dropped and the
    /// question asked once more in a fresh conversation.
    func chat(_ query: String, files: [DifyFileRef], job: ClaimedJob, endpoint: DifyAgentEndpoint, user: String,
              conversation: ConversationKey, stream: inout AnswerStream) throws -> ChatSummary {
        let stored = try withStore { try $0.conversationID(for: conversation) }
        do {
            return try streamOnce(query, files: files, conversationID: stored, job: job, endpoint: endpoint, user: user,
                                  conversation: conversation, stream: &stream)
        } catch let error as DifyError where error.isConversationMissing && stored != nil && stream.received.answer.isEmpty {
            try withStore { try $0.clearConversation(conversation) }
            logger.notice("stale Dify conversation cleared; asking again in a new one", metadata: ["job": "\(job.id)"])
            return try streamOnce(query, files: files, conversationID: nil, job: job, endpoint: endpoint, user: user,
                                  conversation: conversation, stream: &stream)
        }
    }

    /// One request to Dify. Returns the whole answer; throws the reason a step stopped the
    /// transfer (lease lost, released, a store error) or Dify's failure.
    private func streamOnce(_ query: String, files: [DifyFileRef], conversationID: String?, job: ClaimedJob,
                            endpoint: DifyAgentEndpoint, user: String, conversation: ConversationKey,
                            stream: inout AnswerStream) throws -> ChatSummary {
        let request = ChatRequest(query: query, user: user, conversationID: conversationID, files: files)
        let limits = StreamLimits(idleTimeout: settings.idleTimeout, totalTimeout: settings.totalTimeout)
        stream.received = ChatSummary()
        stream.savedConversation = false
        let tick = { self.step(job, changed: false, stream: &stream) }
        let requested = clock()
        var firstToken = false
        let outcome = try dify.streamChat(request, endpoint: endpoint, limits: limits, onTick: tick) { event, received in
            stream.received = received
            if !stream.savedConversation, let id = received.conversationID {
                stream.savedConversation = true
                do { try withStore { try $0.saveConversationID(id, for: conversation, now: nowSeconds) } } catch {
                    logger.warning("could not save the conversation id: \(error)")
                }
            }
            if !firstToken && event.changesAnswer {
                firstToken = true
                metrics.firstToken(after: .seconds(max(0, clock() - requested)))
            }
            return step(job, changed: event.changesAnswer, stream: &stream)
        }
        switch outcome {
        case let .finished(summary): return summary
        case let .stopped(reason): throw reason
        }
    }

    /// After each event (and on curl's idle ticks): release on shutdown, close at the deadline,
    /// hand the text and lease to the progress writer. Never throws into curl: a failure stops
    /// the transfer with the failure as its reason.
    func step(_ job: ClaimedJob, changed: Bool, stream: inout AnswerStream) -> StreamControl {
        let now = clock()
        do {
            if shouldRelease() { throw Released() }
            if !stream.closedEarly && stream.deadline.hasPassed(now: now) {
                let notice = UserNotice.interrupted(partial: stream.displayText, notice: UserNotice.stillWorking)
                let content = StreamContent.truncated(notice)
                guard try withStore({ try $0.closeStreamEarly(jobID: job.id, owner: owner, content: content, now: Int64(now)) })
                else { throw LeaseLost() }
                stream.closedEarly = true
                metrics.answerFallback(.deadline)
            }
            if progress.isLost(job.id) { throw LeaseLost() }
            // Every change goes to the writer (it keeps only the newest per answer and writes
            // them all once per flush interval); a quiet stream still renews its lease.
            if changed || now - stream.leaseRenewedAt >= settings.lease / 3 {
                progress.submit(jobID: job.id, owner: owner, answer: changed ? stream.received.answer : nil,
                                leaseUntil: Int64(now + settings.lease))
                stream.leaseRenewedAt = now
            }
            return .continue
        } catch {
            return .stop(error)
        }
    }
}

extension DifyEvent {
    /// Whether the event changed the answer's text (a chunk with text, or a replacement).
    fileprivate var changesAnswer: Bool {
        switch self {
        case let .message(answer, _, _, _), let .agentMessage(answer, _, _, _): !answer.isEmpty
        case .messageReplace: true
        default: false
        }
    }
}
