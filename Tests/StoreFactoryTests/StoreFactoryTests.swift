import BotConfig
import BotStore
import Foundation
import StoreFactory
import Testing

@Suite struct StoreFactoryTests {
    /// Without a database URL the backend is the SQLite file at WECOM_DB_PATH.
    @Test func sqliteAtTheConfiguredPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("factory-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let configuration = try Configuration(values: ["WECOM_DB_PATH": folder + "/bot.sqlite3"])
        let backend = try StoreFactory.backend(for: configuration)
        #expect(backend.description == folder + "/bot.sqlite3")
        try backend.prepare()
        #expect(FileManager.default.fileExists(atPath: folder + "/bot.sqlite3"))
    }
}
