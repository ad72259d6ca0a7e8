import Foundation
import Testing
@testable import WakeSignal

@Suite struct WakeSignalTests {
    let directory = "/tmp/wake-test-" + String(UUID().uuidString.prefix(8))

    @Test func aNudgeWakesEveryListeningWorker() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try WakeReceiver(directory: directory, name: "a")
        let b = try WakeReceiver(directory: directory, name: "b")
        let sender = WakeSender(directory: directory)
        #expect(!a.wait(timeout: 0))
        #expect(sender.wakeAll() == 2)
        #expect(a.wait(timeout: 5))
        #expect(b.wait(timeout: 5))
        #expect(!a.wait(timeout: 0), "pending nudges are drained in one wait")
    }

    @Test func aDeadWorkersSocketIsRemoved() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var gone: WakeReceiver? = try WakeReceiver(directory: directory, name: "gone")
        let path = try #require(gone?.path)
        // Leave a socket file behind with nobody bound to it, as a SIGKILLed worker does.
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        gone = nil
        #expect(!FileManager.default.fileExists(atPath: path))
        let stale = directory + "/stale.sock"
        #expect(withUnixAddress(stale) { addr, len in bind(fd, addr, len) } == 0)
        close(fd)  // closed once: the file stays, nobody is bound to it
        #expect(FileManager.default.fileExists(atPath: stale))
        #expect(WakeSender(directory: directory).wakeAll() == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func aMissingFolderIsNotAnError() {
        #expect(WakeSender(directory: directory + "/none").wakeAll() == 0)
    }
}
