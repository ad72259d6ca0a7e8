import Foundation

/// A private IPv4 network of simulated hosts on this machine: a network namespace per host, each
/// joined by a veth pair (`eth0` inside) to a bridge that holds the first address, so the test
/// process reaches every host through the bridge and every host reaches it. Needs root (`ip netns`).
///
/// Namespaces separate the network only: the hosts share the file system, so each gets a folder
/// of its own under ``folder`` and nothing that would let one host pass a unix socket or file to
/// another.
///
/// Every name starts with `wbt`, the pid of the test process (base 36) and a number per network
/// (`wbt1a2b3-1-db`): parallel runs never clash, and a run can tell the leftovers of a run that
/// died without tearing down (its pid is gone) and removes them first (``removeLeftovers()``).
final class TestNetwork {
    /// The interface inside each namespace.
    static let interface = "eth0"
    private static let namePrefix = "wbt"
    private static let counter = Counter()

    /// Every name of this network starts with it.
    let prefix: String
    /// This network's files (the hosts' folders, the database's environment): `/tmp/<prefix>`.
    let folder: String
    let bridge: String
    /// The bridge's address, in the test process's namespace (`10.213.N.1`).
    let bridgeAddress: String
    /// Host name → (namespace, address).
    private var hosts: [String: (namespace: String, address: String)] = [:]
    private var removed = false

    /// Creates the bridge and a namespace for each of `hostNames` (short, e.g. "a", "b", "db"),
    /// with addresses `.2`, `.3`, … of a /24 no interface of this machine uses yet.
    init(hostNames: [String]) throws {
        guard geteuid() == 0 else {
            throw FixtureError("the multi-host tests need root for `ip netns` (CI runs `make test` as root)")
        }
        try Self.removeLeftovers()
        let runID = String(getpid(), radix: 36)
        prefix = "\(Self.namePrefix)\(runID)-\(String(Self.counter.increment(), radix: 36))"
        folder = "/tmp/" + prefix
        bridge = prefix + "br"
        let subnet = try Self.unusedSubnet()
        bridgeAddress = subnet + ".1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            try Self.ip("link", "add", bridge, "type", "bridge")
            try Self.ip("addr", "add", bridgeAddress + "/24", "dev", bridge)
            try Self.ip("link", "set", bridge, "up")
            for (index, name) in hostNames.enumerated() {
                let namespace = "\(prefix)-\(name)", address = "\(subnet).\(index + 2)", veth = prefix + name
                hosts[name] = (namespace, address)
                try Self.ip("netns", "add", namespace)
                try Self.ip("link", "add", veth, "type", "veth", "peer", "name", Self.interface, "netns", namespace)
                try Self.ip("link", "set", veth, "master", bridge, "up")
                try Self.ip("-n", namespace, "addr", "add", address + "/24", "dev", Self.interface)
                try Self.ip("-n", namespace, "link", "set", Self.interface, "up")
                try Self.ip("-n", namespace, "link", "set", "lo", "up")
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    func namespace(_ host: String) -> String { hosts[host]?.namespace ?? "" }
    func address(_ host: String) -> String { hosts[host]?.address ?? "" }

    /// `ip` and the arguments that run `executable` with `arguments` inside `host`'s namespace
    /// (`ip netns exec` execs it: the process keeps the pid `ip` started with).
    func command(in host: String, _ executable: String, _ arguments: [String]) throws -> (String, [String]) {
        (try Self.ipPath(), ["netns", "exec", namespace(host), executable] + arguments)
    }

    /// Takes `host`'s interface down: its connections to the others go silent (nothing is
    /// refused or reset), as when a machine loses its network.
    func cutOff(_ host: String) throws {
        try Self.ip("-n", namespace(host), "link", "set", Self.interface, "down")
    }

    /// Kills every process of `host` at once, forked children too, as a machine that loses its
    /// power would lose them.
    func killProcesses(in host: String) {
        Self.killProcesses(inNamespace: namespace(host))
    }

    /// Stops whatever still runs in the namespaces, deletes them and the bridge, and removes the
    /// folder. Idempotent.
    func remove() {
        guard !removed else { return }
        removed = true
        for (namespace, _) in hosts.values { Self.removeNamespace(namespace) }
        _ = try? Self.ip("link", "del", bridge)
        try? FileManager.default.removeItem(atPath: folder)
    }

    // MARK: leftovers

    /// Removes the namespaces, bridges and folders of test runs whose process is gone (killed
    /// before it could tear down), with the processes still running in those namespaces (a
    /// database server that ran as a daemon, say). A live run's network is left alone.
    static func removeLeftovers() throws {
        let namespaces = try ip("netns", "list").split(separator: "\n").compactMap { $0.split(separator: " ").first }
        for namespace in namespaces.map(String.init) where isLeftover(namespace) { removeNamespace(namespace) }
        let links = try ip("-o", "link", "show", "type", "bridge").split(separator: "\n").compactMap { line in
            line.split(separator: ":").dropFirst().first?.trimmingCharacters(in: .whitespaces)
        }
        for link in links where isLeftover(link) { _ = try? ip("link", "del", link) }
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for entry in folders where isLeftover(entry) {
            NamespacedPostgres.removeLeftover(in: "/tmp/" + entry)
            try? FileManager.default.removeItem(atPath: "/tmp/" + entry)
        }
    }

    /// True for a name of this fixture whose run's process no longer exists.
    private static func isLeftover(_ name: String) -> Bool {
        guard name.hasPrefix(namePrefix), let dash = name.firstIndex(of: "-") else { return false }
        guard let pid = Int32(name[name.index(name.startIndex, offsetBy: namePrefix.count)..<dash], radix: 36) else {
            return false
        }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Kills what runs in `namespace` (its interface lives on while a process is in it) and
    /// deletes it.
    private static func removeNamespace(_ namespace: String) {
        killProcesses(inNamespace: namespace)
        _ = try? ip("netns", "del", namespace)
    }

    /// Sends SIGKILL to every process in `namespace` and waits until they have exited (`ip netns
    /// pids` no longer lists a process once it has exited, reaped or not).
    private static func killProcesses(inNamespace namespace: String) {
        func pids() -> [Int32] {
            ((try? ip("netns", "pids", namespace)) ?? "").split(separator: "\n").compactMap { Int32($0) }
        }
        for pid in pids() { kill(pid, SIGKILL) }
        _ = try? waitUntil("the processes of \(namespace) to exit") { pids().isEmpty }
    }

    // MARK: addresses and commands

    /// `10.213.N` for an N no interface of this machine has an address in.
    private static func unusedSubnet() throws -> String {
        let inUse = try ip("-4", "-o", "addr", "show")
        let start = Int(getpid()) % 250
        for offset in 0..<250 {
            let subnet = "10.213.\((start + offset) % 250 + 1)"
            if !inUse.contains(" \(subnet).") { return subnet }
        }
        throw FixtureError("no free 10.213.N.0/24 for a test network")
    }

    private static func ipPath() throws -> String {
        guard let path = which("ip") else { throw FixtureError("ip is not installed (iproute2: scripts/install-deps.sh)") }
        return path
    }

    @discardableResult
    static func ip(_ arguments: String...) throws -> String {
        try runCommand(try ipPath(), arguments)
    }
}
