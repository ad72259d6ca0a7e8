import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wecomctl", abstract: "wecom-bot wecomctl (work in progress)")
    func run() throws {}
}
Main.main()
