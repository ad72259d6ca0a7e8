import DifyStandIn
import Foundation
import StoreTestSupport
import WeComCrypto

/// The whole answer path: the stand-in Dify, nginx, `wecom-fcgi` and `wecom-worker`
/// processes, one SQLite file or PostgreSQL schema, and a simulated WeCom client.
final class AnswerStack {
    let dify: DifyStandIn
    let stack: ResponderStack
    let wecom: WeComSimulator
    let token = "tok" + SecureRandom.alphanumeric(12)
    let key = EncodingAESKeyGenerator.make()

    init(workers: Int = 1, instances: Int = 1, processes: Int = 2, environment: [String: String] = [:],
         backend: Backend = .sqlite) throws {
        dify = try DifyStandIn()
        var env = [
            "WECOM_TOKEN": token, "WECOM_ENCODING_AES_KEY": key,
            "DIFY_API_BASE_URL": dify.apiBaseURL, "DIFY_API_KEY": "app-standin-test-key",
            "WECOM_ALLOW_PRIVATE_FETCH": "1", "WECOM_RESPONSE_URL_ALLOW": dify.baseURL,
            "WECOM_STREAM_FLUSH_INTERVAL": "0.05",
        ]
        env.merge(environment) { _, new in new }
        stack = try ResponderStack(instances: instances, processes: processes, environment: env, backend: backend)
        wecom = try WeComSimulator(port: stack.port, botID: "aibTEST", token: token, key: key)
        for _ in 0..<workers { try stack.startWorker() }
    }

    /// The job row's state, attempts and last error, as an operator would read them.
    func job(stream: String) throws -> String {
        try stack.sql("SELECT state || '|' || attempts || '|' || coalesce(last_error, '') FROM jobs WHERE stream_id = '\(stream)'")
    }

    func stop() {
        stack.stop()
        dify.stop()
    }

    deinit { stop() }
}
