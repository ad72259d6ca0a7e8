/// What `/healthz` says: 200 `ok`, or 503 with one line saying what is wrong.
public enum Health: Sendable, Equatable {
    case healthy
    case unhealthy(String)
}
