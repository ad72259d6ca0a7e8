import ArgumentParser

/// `wecom-bench`: the Swift half of `make bench` (bench/run.sh drives nginx and wrk).
struct WeComBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wecom-bench",
        abstract: "Benchmark helpers for wecom-bot (run through bench/run.sh / make bench).",
        subcommands: [RequestsCommand.self, HandlerCommand.self, WorkerCommand.self, WSCommand.self])
}

WeComBench.main()
