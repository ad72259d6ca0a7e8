import ArgumentParser
import BotStore

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List jobs and retry failed ones.",
        subcommands: [JobsList.self, JobsRetry.self])
}

/// `--state`, spelled like the `jobs.state` column.
enum JobStateArgument: String, ExpressibleByArgument, CaseIterable {
    case queued, running, done, dead
    var state: JobState {
        switch self {
        case .queued: .queued
        case .running: .running
        case .done: .done
        case .dead: .dead
        }
    }
}
