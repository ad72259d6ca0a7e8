/// What one job runner talks to besides the store. Each runner thread gets its own set: the
/// curl-based clients own their handles and connections and are used by one thread only.
public struct RunnerClients {
    public var dify: any DifyService
    public var fetcher: any MediaFetching
    /// Called on the runner's first late delivery only: most runners never post, and a curl
    /// handle is ~5.5 KB.
    public var makePoster: () -> any ResponseURLPosting

    public init(dify: any DifyService, fetcher: any MediaFetching, makePoster: @escaping () -> any ResponseURLPosting) {
        self.dify = dify
        self.fetcher = fetcher
        self.makePoster = makePoster
    }
}

@available(*, unavailable) extension RunnerClients: Sendable {}
