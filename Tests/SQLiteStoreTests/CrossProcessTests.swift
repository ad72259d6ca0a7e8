import BotStore
import Foundation
import SQLiteStore
import StoreTestSupport
import Testing

/// Another process (the `sqlite3` shell) holds the write lock while the store writes: the
/// busy handler must wait for it instead of letting SQLITE_BUSY escape.
@Suite struct CrossProcessTests {
    static let shell = "/usr/bin/sqlite3"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: shell), "needs the sqlite3 shell"))
    func writerWaitsForAnotherProcessHoldingTheWriteLock() throws {
        try withMigratedStore { store, path throws in
            let marker = path + ".locked"
            defer { try? FileManager.default.removeItem(atPath: marker) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.shell)
            process.arguments = [path]
            let input = Pipe()
            process.standardInput = input
            try process.run()
            let script = """
                BEGIN IMMEDIATE;
                INSERT INTO bots(botid, token, encoding_aes_key, created_at) VALUES ('from-shell', 't', 'k', 1);
                .shell touch '\(marker)'
                .shell sleep 0.3
                COMMIT;
                .quit

                """
            input.fileHandleForWriting.write(Data(script.utf8))
            try input.fileHandleForWriting.close()

            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: marker), Date() < deadline { usleep(1_000) }
            #expect(FileManager.default.fileExists(atPath: marker), "the shell never took the lock")

            let accepted = try store.acceptMessage(.mock(msgID: "m1", streamID: "s1"), now: 1)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(accepted.isNew)
            #expect(try store.bot(id: "from-shell") != nil)
            #expect(try store.scalarInt("SELECT count(*) FROM jobs") == 1)
        }
    }
}
