import Testing
@testable import FastCGIServer

@Suite("ListenerSpec parsing and detection")
struct ListenerSpecTests {
    @Test(arguments: [
        ("unix:/run/wecom/fcgi.sock", ListenerSpec.unix(path: "/run/wecom/fcgi.sock")),
        ("unix:relative.sock", .unix(path: "relative.sock")),
        ("/run/wecom/fcgi.sock", .unix(path: "/run/wecom/fcgi.sock")),
        ("127.0.0.1:9000", .tcp(host: "127.0.0.1", port: 9000)),
        ("localhost:1", .tcp(host: "localhost", port: 1)),
        (":65535", .tcp(host: "", port: 65535)),
        ("[::1]:9000", .tcp(host: "::1", port: 9000)),
    ])
    func parsesValidListeners(_ text: String, _ expected: ListenerSpec) throws {
        #expect(try ListenerSpec.parse(text) == expected)
    }

    @Test(arguments: [
        "", "fcgi.sock", "unix:", "host:", "host:0", "host:65536", "host:abc", "host:-1", ":",
        "::1:9000", "[]:9000", "a b:9000", "host:９０", "/" + String(repeating: "x", count: 107),
    ])
    func rejectsInvalidListenersWithOneLine(_ text: String) {
        #expect {
            try ListenerSpec.parse(text)
        } throws: { error in
            guard let error = error as? FastCGIError, case .invalidListener = error else { return false }
            return !error.description.contains("\n") && error.description.contains("invalid listener")
        }
    }

    @Test func longestUnixPathIsAccepted() throws {
        let path = "/" + String(repeating: "x", count: 106)
        #expect(try ListenerSpec.parse(path) == .unix(path: path))
    }

    @Test func descriptionsAreReadable() {
        #expect(ListenerSpec.unix(path: "/run/x.sock").description == "unix:/run/x.sock")
        #expect(ListenerSpec.tcp(host: "::1", port: 9000).description == "[::1]:9000")
        #expect(ListenerSpec.tcp(host: "127.0.0.1", port: 9000).description == "127.0.0.1:9000")
    }

    @Test func detectPrefersSystemdWhenListenPIDIsThisProcess() {
        let env = ["LISTEN_PID": "4242", "LISTEN_FDS": "1"]
        #expect(ListenerSpec.detect(environment: { env[$0] }, pid: 4242, fd0IsListening: { true }) == .systemd)
    }

    @Test func detectIgnoresSystemdVariablesMeantForAnotherProcess() {
        let env = ["LISTEN_PID": "4241", "LISTEN_FDS": "1"]
        #expect(ListenerSpec.detect(environment: { env[$0] }, pid: 4242, fd0IsListening: { false }) == nil)
        #expect(ListenerSpec.detect(environment: { env[$0] }, pid: 4242, fd0IsListening: { true }) == .inherited)
    }

    @Test func detectNeedsAtLeastOneSystemdSocket() {
        let env = ["LISTEN_PID": "4242", "LISTEN_FDS": "0"]
        #expect(ListenerSpec.detect(environment: { env[$0] }, pid: 4242, fd0IsListening: { false }) == nil)
    }

    @Test func detectFallsBackToInheritedFD0() {
        #expect(ListenerSpec.detect(environment: { _ in nil }, pid: 1, fd0IsListening: { true }) == .inherited)
        #expect(ListenerSpec.detect(environment: { _ in nil }, pid: 1, fd0IsListening: { false }) == nil)
    }
}
