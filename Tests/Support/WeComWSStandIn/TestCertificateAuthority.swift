import Foundation

/// A certificate authority made at test time with the `openssl` command, in a folder of its own:
/// the CA's certificate (`certificateFile`, what a client is told to trust) and server
/// certificates it issues for `localhost` and 127.0.0.1.
public struct TestCertificateAuthority: Sendable {
    /// A server's certificate and private key, PEM files.
    public struct ServerIdentity: Sendable {
        public let certificateFile: String
        public let keyFile: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: String
    public let certificateFile: String
    private let keyFile: String

    /// A new CA named `name` in a fresh temporary folder.
    public init(name: String = "wecom-bot test CA") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("test-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        certificateFile = directory + "/ca.pem"
        keyFile = directory + "/ca-key.pem"
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", keyFile, "-out", certificateFile, "-days", "2", "-subj", "/CN=\(name)"])
    }

    /// A certificate for `localhost` and 127.0.0.1, signed by this CA.
    public func issueServerCertificate(name: String = "server") throws -> ServerIdentity {
        let key = "\(directory)/\(name)-key.pem", request = "\(directory)/\(name).csr"
        let certificate = "\(directory)/\(name).pem", extensions = "\(directory)/\(name).ext"
        try """
        basicConstraints=CA:FALSE
        keyUsage=digitalSignature
        extendedKeyUsage=serverAuth
        subjectAltName=DNS:localhost,IP:127.0.0.1
        """.write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                          "-keyout", key, "-out", request, "-subj", "/CN=localhost"])
        try Self.openssl(["x509", "-req", "-in", request, "-CA", certificateFile, "-CAkey", keyFile, "-CAcreateserial",
                          "-days", "2", "-extfile", extensions, "-out", certificate])
        return ServerIdentity(certificateFile: certificate, keyFile: key)
    }

    /// Deletes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                + String(decoding: message, as: UTF8.self))
        }
    }
}
