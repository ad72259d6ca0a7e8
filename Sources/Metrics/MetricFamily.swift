/// One metric family as Prometheus shows it: name, help, type, and the labels of its series.
///
/// Every label lists the values it can take, so the family has a fixed number of series (the
/// product of the value counts) and each series a fixed place in a `MetricsRegion`, the same in
/// every process forked from the one that made the region.
public struct MetricFamily: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Only goes up; the name ends in `_total`.
        case counter
        /// Goes up and down (a signed integer in a region, any number when read at scrape time).
        case gauge
        /// Observations in seconds counted into buckets with these upper bounds (ascending,
        /// without `+Inf`, which every histogram has).
        case histogram(buckets: [Double])
    }

    public let name: String
    public let help: String
    public let kind: Kind
    public let labels: [MetricLabel]

    public init(name: String, help: String, kind: Kind, labels: [MetricLabel] = []) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
    }

    /// Series in the order `MetricsRegion.read()` and the text writer use: the first label varies
    /// slowest.
    public var seriesCount: Int { labels.reduce(1) { $0 * $1.values.count } }

    /// Region slots of one series: one for a counter or gauge; for a histogram one per bucket,
    /// one for `+Inf` and one for the sum in nanoseconds.
    var slotsPerSeries: Int {
        if case let .histogram(buckets) = kind { return buckets.count + 2 }
        return 1
    }

    /// The index of the series with `values` (one per label, in label order), or nil when a
    /// value is not one the label lists.
    public func seriesIndex(_ values: [String]) -> Int? {
        guard values.count == labels.count else { return nil }
        var index = 0
        for (label, value) in zip(labels, values) {
            guard let position = label.values.firstIndex(of: value) else { return nil }
            index = index * label.values.count + position
        }
        return index
    }

    /// The label values of series `index` (the inverse of `seriesIndex`).
    public func labelValues(ofSeries index: Int) -> [String] {
        var rest = index
        var values: [String] = []
        for label in labels.reversed() {
            values.append(label.values[rest % label.values.count])
            rest /= label.values.count
        }
        return values.reversed()
    }
}

/// A label and every value it can take.
public struct MetricLabel: Sendable, Hashable {
    public let name: String
    public let values: [String]

    public init(_ name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}
