/// A family's values at one moment: read from a `MetricsRegion`, or made at scrape time from
/// what the process knows then (queue depth read from the store, live serving processes).
public struct FamilyReading: Sendable, Equatable {
    public let family: MetricFamily
    /// One per series, in `MetricFamily.labelValues(ofSeries:)` order.
    public let values: [SeriesValue]

    public init(family: MetricFamily, values: [SeriesValue]) {
        precondition(values.count == family.seriesCount, "\(family.name) has \(family.seriesCount) series")
        self.family = family
        self.values = values
    }

    /// A gauge family's reading from one number per series.
    public init(gauge family: MetricFamily, _ values: [Double]) {
        self.init(family: family, values: values.map(SeriesValue.gauge))
    }
}

public enum SeriesValue: Sendable, Equatable {
    case counter(UInt64)
    case gauge(Double)
    /// Per-bucket counts (not cumulative), `+Inf`'s last; the sum in seconds.
    case histogram(bucketCounts: [UInt64], sum: Double)
}
