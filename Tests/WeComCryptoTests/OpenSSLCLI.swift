import Foundation

/// Runs the system `openssl` binary: a second code path, independent of the module under test.
enum OpenSSLCLI {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `input` to a temporary file, runs `openssl <arguments(path)>` and returns its standard output.
    static func run(_ arguments: (String) -> [String], input: [UInt8]) throws -> [UInt8] {
        let inputURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("wecomcrypto-\(UUID().uuidString).bin")
        try Data(input).write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments(inputURL.path)
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(process.arguments!.joined(separator: " ")) exited "
                + "\(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return [UInt8](output)
    }

    /// AES-256-CBC without padding, raw bytes in and out.
    static func aes256CBC(decrypt: Bool, _ input: [UInt8], keyHex: String, ivHex: String) throws -> [UInt8] {
        let arguments = { ["enc", decrypt ? "-d" : "-e", "-aes-256-cbc", "-nopad", "-K", keyHex, "-iv", ivHex, "-in", $0] }
        return try run(arguments, input: input)
    }

    /// AES-256-CBC decryption without padding of base64 text (openssl decodes the base64 itself).
    static func decryptBase64(_ base64: String, keyHex: String, ivHex: String) throws -> [UInt8] {
        let arguments = { ["enc", "-d", "-aes-256-cbc", "-nopad", "-a", "-A", "-K", keyHex, "-iv", ivHex, "-in", $0] }
        return try run(arguments, input: Array(base64.utf8))
    }

    /// Lowercase hex SHA-1 from `openssl dgst -sha1 -r` ("<hex> *<file>").
    static func sha1Hex(_ input: [UInt8]) throws -> String {
        let line = String(decoding: try run({ ["dgst", "-sha1", "-r", $0] }, input: input), as: UTF8.self)
        return String(line.prefix(while: { !$0.isWhitespace }))
    }
}
