import BotStore
import WakeSignal

/// The SQLite backend's job signal: a datagram to every worker socket in the wake folder.
final class WakeFolderSignal: JobSignal {
    private let directory: String
    private let sender: WakeSender

    init(directory: String) {
        self.directory = directory
        sender = WakeSender(directory: directory)
    }

    var description: String { "in \(directory) (WECOM_WAKE_DIR)" }

    func notifyWorkers() {
        sender.wakeAll()
    }
}
