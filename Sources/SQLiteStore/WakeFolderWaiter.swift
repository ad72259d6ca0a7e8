import BotStore
import WakeSignal

/// The SQLite backend's job waiter: this worker's socket in the wake folder, removed when the
/// waiter goes.
final class WakeFolderWaiter: JobWaiter {
    private let receiver: WakeReceiver

    init(receiver: WakeReceiver) {
        self.receiver = receiver
    }

    func wait(timeout: Double) -> Bool {
        receiver.wait(timeout: timeout)
    }
}
