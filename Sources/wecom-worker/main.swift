import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wecom-worker", abstract: "wecom-bot wecom-worker (work in progress)")
    func run() throws {}
}
Main.main()
