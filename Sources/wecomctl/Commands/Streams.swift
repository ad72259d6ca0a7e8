import ArgumentParser

struct Streams: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect streams: the answers WeCom polls for.",
        subcommands: [StreamsShow.self])
}
