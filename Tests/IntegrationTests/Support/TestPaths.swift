import Foundation

/// Where the built executables and the test fixtures are.
enum TestPaths {
    /// The folder holding `wecom-fcgi` and friends: `WECOM_BIN_DIR`, else the folder of the
    /// running test bundle (SwiftPM puts products and tests side by side).
    static var binaries: String {
        if let dir = ProcessInfo.processInfo.environment["WECOM_BIN_DIR"], !dir.isEmpty { return dir }
        let candidates = [Bundle.main.bundlePath, (CommandLine.arguments.first ?? "")]
            .map { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/wecom-fcgi") }
            ?? packageRoot + "/.build/debug"
    }

    static func binary(_ name: String) throws -> String {
        let path = binaries + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw FixtureError("\(path) is missing: build first (make test builds everything)")
        }
        return path
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/" + name).path
    }

    /// A fresh folder for one test's files; short, because unix socket paths are limited to 107 bytes.
    static func scratch() throws -> String {
        let path = "/tmp/wb-" + String(UUID().uuidString.prefix(8)).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
