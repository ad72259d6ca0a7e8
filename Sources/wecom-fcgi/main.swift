import ArgumentParser

struct Main: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wecom-fcgi", abstract: "wecom-bot wecom-fcgi (work in progress)")
    func run() throws {}
}
Main.main()
