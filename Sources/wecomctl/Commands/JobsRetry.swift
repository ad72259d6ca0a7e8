import ArgumentParser

struct JobsRetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue a dead (or done) job again, with its stream reopened.",
        discussion: """
        For operators, after fixing what made the job fail (an agent's key, Dify being down). \
        The job runs again from attempt 1 on its reopened, empty stream; idle workers are \
        woken at once.

        WeCom polls a stream only during the 6 minutes after the user's message. Within that \
        window the user sees the new answer as usual. A warning says so when no worker is \
        alive to run it (no recent heartbeat, as in `wecomctl status`). Past it, the worker closes the stream \
        with a "still working" notice and sends the answer once through the message's \
        response_url, if that one-time URL was not used yet; the stream row still records \
        the full answer (`wecomctl streams show`).

        Examples:
          wecomctl jobs list --state dead
          wecomctl jobs retry 42
        """)

    @Argument(help: "The job id.")
    var id: Int64

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let (store, backend, _) = try database.openStore(create: false)
        defer { store.close() }
        switch try store.requeueJob(id: id, now: Formatting.now) {
        case .notFound:
            throw CommandFailure("no job \(id)")
        case .notRetryable(let state):
            throw CommandFailure("job \(id) is \(state.rawValue): only done or dead jobs can be retried")
        case let .requeued(previous, stream):
            Console.out("job \(id) (was \(previous.rawValue)) is queued again; stream \(stream) reopened")
            backend.makeJobSignal().notifyWorkers()
            let now = Formatting.now
            if let warning = WorkerView.noLiveWorkerWarning(dueJobs: 1, workers: try store.workerStatuses(now: now), now: now) {
                Console.error(warning)
            }
            Console.out("follow it with: wecomctl streams show \(stream)")
        }
    }
}
