import DifyClient

/// Dify's Service API as a job runner uses it: file uploads and streamed answers. The
/// worker passes a ``DifyClient`` (curl, one per runner thread); tests may pass a stand-in.
public protocol DifyService {
    /// See ``DifyClient/uploadFile(_:fileName:mimeType:user:endpoint:timeout:)``.
    func uploadFile(_ data: [UInt8], fileName: String, mimeType: String, user: String, endpoint: DifyAgentEndpoint,
                    timeout: Double) throws(DifyError) -> String

    /// See ``DifyClient/streamChat(_:endpoint:limits:onTick:onEvent:)``.
    func streamChat(_ request: ChatRequest, endpoint: DifyAgentEndpoint, limits: StreamLimits,
                    onTick: () -> StreamControl,
                    onEvent: (DifyEvent, ChatSummary) -> StreamControl) throws(DifyError) -> ChatStreamOutcome
}

extension DifyClient: DifyService {}
