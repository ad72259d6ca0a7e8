import BotStore
import Foundation

extension JobRunner {
    /// What the built-in echo agent says: the user's text, marked so nobody mistakes it for AI.
    static func echoAnswer(for query: String) -> String {
        "echo: " + query
    }

    /// The built-in echo agent (`WECOM_ECHO_AGENT=1`, used by `make run` when no Dify is set):
    /// streams the user's text back a few characters at a time through the same throttled
    /// writes, deadline and lease handling as a Dify answer, so a newcomer sees the whole path.
    func echo(_ query: String, job: ClaimedJob, stream: inout AnswerStream) throws {
        let text = Self.echoAnswer(for: query)
        var rest = Substring(text)
        while !rest.isEmpty {
            stream.received.answer += rest.prefix(3)
            rest = rest.dropFirst(3)
            if case let .stop(reason) = step(job, changed: true, stream: &stream) { throw reason }
            Thread.sleep(forTimeInterval: 0.04)  // the pace of a typing answer, so the stream visibly grows
        }
    }
}
