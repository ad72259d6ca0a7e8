import Synchronization

/// One histogram series in a `MetricsRegion`: a count per bucket (not cumulative: the writer
/// sums them), one for `+Inf`, and the sum of all observations in nanoseconds, so that every
/// update is one integer add.
public struct Histogram: @unchecked Sendable {
    // @unchecked: the slots are only touched atomically, and `region` keeps them mapped.
    let slots: UnsafeMutablePointer<Atomic<UInt64>>
    /// Upper bounds in nanoseconds, ascending.
    let bounds: [UInt64]
    let region: MetricsRegion

    init(slots: UnsafeMutablePointer<Atomic<UInt64>>, bounds seconds: [Double], region: MetricsRegion) {
        self.slots = slots
        bounds = seconds.map { UInt64(($0 * 1e9).rounded()) }
        self.region = region
    }

    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return observe(nanoseconds: 0) }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        observe(nanoseconds: overflow ? .max : whole &+ UInt64(attoseconds / 1_000_000_000))
    }

    public func observe(nanoseconds: UInt64) {
        var bucket = 0
        while bucket < bounds.count, nanoseconds > bounds[bucket] { bucket += 1 }
        slots[bucket].wrappingAdd(1, ordering: .relaxed)
        slots[bounds.count + 1].wrappingAdd(nanoseconds, ordering: .relaxed)
    }

    /// Observations so far (all buckets and `+Inf`).
    public var count: UInt64 { (0...bounds.count).reduce(0) { $0 &+ slots[$1].load(ordering: .relaxed) } }
}
