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

    /// The sender keeps its listing while the folder is unchanged; a worker arriving or leaving
    /// changes the folder's mtime, and the next wake-up sees it.
    @Test func workersArrivingOrLeavingAreSeenWithACachedListing() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try WakeReceiver(directory: directory, name: "a")
        try backdate(directory)  // an old mtime: the sender may keep its listing
        let sender = WakeSender(directory: directory)
        #expect(sender.wakeAll() == 1)
        #expect(sender.wakeAll() == 1)
        var b: WakeReceiver? = try WakeReceiver(directory: directory, name: "b")
        #expect(sender.wakeAll() == 2)
        #expect(try #require(b).wait(timeout: 5))
        try backdate(directory)
        #expect(sender.wakeAll() == 2)
        b = nil
        #expect(sender.wakeAll() == 1)
        #expect(a.wait(timeout: 5))
    }

    private func backdate(_ path: String) throws {
        let old = Date(timeIntervalSinceNow: -60)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
    }
}
