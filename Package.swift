// swift-tools-version:6.0
import PackageDescription

// Linux only: the code uses Glibc, prctl and Linux socket flags. SwiftPM has no Linux entry for
// `platforms`, so the LinuxOnly target below says it: every target depends on it, and it stops a
// build for another system with one `#error` before anything else compiles. The check is in a
// target, not in this manifest, because the manifest is compiled for the machine that builds
// and a target for the one that runs: a Mac cross-compiling with a Linux Swift SDK still builds.
let package = Package(
    name: "wecom-bot",
    products: [
        .executable(name: "wecom-fcgi", targets: ["wecom-fcgi"]),
        .executable(name: "wecom-worker", targets: ["wecom-worker"]),
        .executable(name: "wecomctl", targets: ["wecomctl"]),
        .executable(name: "wecom-ws", targets: ["wecom-ws"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The long connection's WebSocket client (README, 依赖与原因); swift-nio and swift-nio-ssl come
        // with it and are named here because the adapter and the test server use them directly.
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // Stops a build for any system but Linux with one clear error (see the top of this file).
        .target(name: "LinuxOnly"),

        // One wrapper module per C library.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // JSON values, a strict reader and a compact writer (pure Swift, no Foundation): every
        // callback body, payload and reply goes through it on the hot path.
        .target(name: "JSONCore"),
        // Strict standard base64 and the EncodingAESKey rule (pure Swift): one implementation for
        // the crypto, the configuration's key check, reply images and wecomctl.
        .target(name: "StrictBase64"),
        // WeCom crypto on OpenSSL EVP: key derivation, AES-256-CBC, PKCS#7/32, framing, SHA1 signature.
        .target(name: "WeComCrypto", dependencies: ["COpenSSL", "JSONCore", "StrictBase64"]),
        // WeCom message model: inbound payloads and passive replies (pure Swift, Codable).
        .target(name: "WeComModel", dependencies: ["JSONCore"]),
        // Configuration: environment plus .env, validated at start-up.
        .target(name: "BotConfig", dependencies: ["JSONCore", "StrictBase64"]),
        // The store protocol, its records and the job payload codec (pure Swift).
        .target(name: "BotStore", dependencies: ["WeComModel", .product(name: "Logging", package: "swift-log")]),
        // The SQLite backend of the store: connections, group commit, checkpoints, wake-up datagrams.
        .target(name: "SQLiteStore", dependencies: [
            "BotStore", "CSQLite", "Threads", "WakeSignal", "WeComModel", .product(name: "Logging", package: "swift-log"),
        ]),
        // The PostgreSQL backend of the store on libpq (synchronous, one connection per thread):
        // several hosts share one database; LISTEN/NOTIFY wakes the workers.
        .target(name: "PostgresStore", dependencies: [
            "BotStore", "CLibpq", "WeComModel", .product(name: "Logging", package: "swift-log"),
        ]),
        // Picks the store backend the configuration names; the one module that knows them all.
        .target(name: "StoreFactory", dependencies: ["BotConfig", "BotStore", "SQLiteStore", "PostgresStore"]),
        // The FastCGI server on libfcgi: sockets, pre-fork, accept loop.
        .target(name: "FastCGIServer", dependencies: ["CFastCGI", "Threads", .product(name: "Logging", package: "swift-log")]),
        // Wake-up datagrams from responders to idle workers (AF_UNIX, no C library).
        .target(name: "WakeSignal"),
        // What both modes do with an inbound message or event: accept it into the store (dedupe,
        // stream, job for its agent), store events, choose the welcome text (pure Swift).
        .target(name: "MessageIntake", dependencies: ["BotConfig", "BotStore", "WeComCrypto", "WeComModel"]),
        // Callback routing and dispatch (pure Swift; talks to the store through its protocol).
        .target(name: "CallbackHandler", dependencies: [
            "JSONCore", "StrictBase64", "WeComCrypto", "WeComModel", "BotConfig", "BotStore", "MessageIntake",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Long-connection mode: the frame codec, one bot's session (subscribe, heartbeat, reconnect,
        // acks by req_id), media uploads, answer splitting, the per-conversation rate limit and, in
        // one adapter file, the WebSocket library.
        .target(name: "LongConnection", dependencies: [
            "JSONCore", "StrictBase64", "WeComCrypto", "WeComModel", .product(name: "Logging", package: "swift-log"),
            .product(name: "WSClient", package: "swift-websocket"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        // `wecom-ws`'s parts: connection leases and sessions per bot, the callbacks into the store,
        // the stream pusher and the messages the bot sends first (store calls off the async pool).
        .target(name: "LongConnectionService", dependencies: [
            "BotConfig", "BotStore", "LongConnection", "MessageIntake", "WeComModel",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The Dify client and safe outbound fetches on libcurl: SSE streaming, uploads, size caps.
        .target(name: "DifyClient", dependencies: ["CCurl", "JSONCore"]),
        // The worker's job logic: media, Dify streaming into the store, deadlines, retries.
        .target(name: "WorkerCore", dependencies: [
            "Threads",
            "BotStore", "BotConfig", "DifyClient", "WeComCrypto", "WeComModel",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Test-only: real HTTP servers speaking Dify's wire format, serving media, taking response_url posts.
        .target(name: "DifyStandIn", dependencies: ["JSONCore"], path: "Tests/Support/DifyStandIn"),
        // Test-only: a real WebSocket server (plain or TLS with a test CA) answering like WeCom's
        // long-connection endpoint, on the NIO pieces the WebSocket client already brings.
        .target(name: "WeComWSStandIn", dependencies: [
            "JSONCore", "LongConnection", "StrictBase64",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], path: "Tests/Support/WeComWSStandIn"),
        // Test-only: a logger that keeps every line, for tests of what a component logs.
        .target(name: "LogRecorder", dependencies: [.product(name: "Logging", package: "swift-log")],
                path: "Tests/Support/LogRecorder"),
        // Test-only: a fresh database of either backend per test (a SQLite file, or a schema of its
        // own on the throwaway PostgreSQL of scripts/test-postgres.sh), raw SQL on it, mock records.
        .target(name: "StoreTestSupport", dependencies: ["BotStore", "SQLiteStore", "PostgresStore"],
                path: "Tests/Support/StoreTestSupport"),
        // Test-only: a FastCGI client speaking to a responder socket as nginx does.
        .target(name: "FastCGITestClient", path: "Tests/Support/FastCGITestClient"),

        // Threads: one that runs a closure at an interval until stopped (progress writes,
        // checkpoints, log flushes), a joinable pthread, and a forked child's fresh main thread.
        .target(name: "Threads"),
        // Prometheus metrics for every executable (pure Swift on Glibc): a fixed catalogue of
        // families, their values in a shared anonymous mapping made before fork (so one scrape
        // totals every pre-forked responder), the text format, and the /metrics and /healthz
        // listener (README, 依赖与原因).
        .target(name: "Metrics", dependencies: ["Threads"]),
        // Start-up shared by the executables: configuration, logging, signals.
        .target(name: "ServiceSupport", dependencies: [
            "BotConfig", "Threads", .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "wecom-fcgi", dependencies: [
            "CallbackHandler", "FastCGIServer", "BotConfig", "BotStore", "Metrics", "ServiceSupport", "StoreFactory",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wecom-worker", dependencies: [
            "BotConfig", "BotStore", "Metrics", "ServiceSupport", "StoreFactory", "Threads", "WorkerCore", "DifyClient",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wecom-ws", dependencies: [
            "BotConfig", "BotStore", "LongConnection", "LongConnectionService", "MessageIntake", "Metrics", "ServiceSupport",
            "StoreFactory", "WeComModel",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "wecomctl", dependencies: [
            "BotConfig", "BotStore", "JSONCore", "ServiceSupport", "StoreFactory", "StrictBase64", "WeComCrypto",
            "WeComModel",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer target over the callback path (scripts/fuzz.sh builds it with -D FUZZING and
        // the fuzzer sanitizer); the normal build makes a corpus replayer and seed writer.
        .executableTarget(name: "FuzzCallback", dependencies: [
            "CallbackHandler", "BotConfig", "BotStore", "StoreFactory", "WeComCrypto",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Fuzz/FuzzCallback"),
        // Benchmarks (bench/run.sh, `make bench`): pre-signed request files, the worker and wecom-ws figures.
        .executableTarget(name: "wecom-bench", dependencies: [
            "WeComCrypto", "WeComModel", "SQLiteStore", "PostgresStore", "BotStore", "CallbackHandler", "WakeSignal",
            "DifyStandIn", "BotConfig", "LongConnection", "WeComWSStandIn", "JSONCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "bench/Sources/wecom-bench"),

        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        .testTarget(name: "StrictBase64Tests", dependencies: ["StrictBase64"]),
        .testTarget(name: "WeComCryptoTests", dependencies: ["WeComCrypto"]),
        .testTarget(name: "WeComModelTests", dependencies: ["WeComModel"]),
        .testTarget(name: "BotConfigTests", dependencies: ["BotConfig", "WeComCrypto"]),
        .testTarget(name: "BotStoreTests", dependencies: ["BotStore", "WeComModel"]),
        // Every protocol operation, on both backends (`@Test(arguments: Backend.allCases)`).
        .testTarget(name: "StoreContractTests", dependencies: [
            "StoreTestSupport", "BotStore", "SQLiteStore", "PostgresStore", "WeComModel",
        ]),
        .testTarget(name: "SQLiteStoreTests", dependencies: [
            "SQLiteStore", "BotStore", "LogRecorder", "StoreTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PostgresStoreTests", dependencies: [
            "PostgresStore", "BotStore", "StoreTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "StoreFactoryTests", dependencies: [
            "StoreFactory", "BotConfig", "BotStore", "PostgresStore", "StoreTestSupport",
        ]),
        .testTarget(name: "FastCGIServerTests", dependencies: ["FastCGIServer", "FastCGITestClient"]),
        .testTarget(name: "MessageIntakeTests", dependencies: [
            "MessageIntake", "BotConfig", "BotStore", "WeComModel", "StoreTestSupport",
        ]),
        .testTarget(name: "CallbackHandlerTests", dependencies: [
            "CallbackHandler", "WeComCrypto", "WeComModel", "BotStore", "BotConfig", "SQLiteStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ThreadsTests", dependencies: ["Threads"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "ServiceSupportTests", dependencies: [
            "ServiceSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "WakeSignalTests", dependencies: ["WakeSignal"]),
        .testTarget(name: "DifyClientTests", dependencies: ["DifyClient", "DifyStandIn", "WeComModel"]),
        .testTarget(name: "WorkerCoreTests", dependencies: [
            "WorkerCore", "BotStore", "BotConfig", "SQLiteStore", "DifyStandIn", "DifyClient", "LogRecorder", "WeComCrypto",
            "WeComModel",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LongConnectionTests", dependencies: [
            "LongConnection", "WeComWSStandIn", "JSONCore", "LogRecorder", "WeComCrypto", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "LongConnectionServiceTests", dependencies: [
            "LongConnectionService", "BotStore", "WeComModel",
        ]),
        // End-to-end: real nginx, real wecom-fcgi processes, a real SQLite file.
        .testTarget(name: "IntegrationTests", dependencies: [
            "FastCGITestClient", "WeComCrypto", "WeComModel", "DifyStandIn", "BotConfig", "StoreTestSupport", "WeComWSStandIn",
            "LongConnection", "JSONCore",
        ], exclude: ["Fixtures"]),
    ]
)

// Every target (the C wrappers, which compile nothing, aside) depends on LinuxOnly, added here so
// that a new target cannot forget it.
for target in package.targets where target.type != .system && target.name != "LinuxOnly" {
    target.dependencies.append("LinuxOnly")
}
