#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The counters, gauges and histograms of a catalogue in one shared anonymous mapping of 64-bit
/// slots. Made before `fork()`, it is the same memory in the process that made it and in every
/// child forked afterwards, so each child adds to the same totals and one scrape in any of them
/// reads them all. Slots are updated with atomic read-modify-write instructions, which work
/// across processes on a shared mapping as they do across threads.
public final class MetricsRegion: @unchecked Sendable {
    // @unchecked: the mapping never moves and every slot is only touched atomically.
    public let catalogue: MetricsCatalogue
    private let base: UnsafeMutablePointer<Atomic<UInt64>>
    private let byteCount: Int

    public init(catalogue: MetricsCatalogue) throws(MetricsError) {
        self.catalogue = catalogue
        let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
        let wanted = max(1, catalogue.slotCount) * MemoryLayout<Atomic<UInt64>>.stride
        byteCount = (wanted + pageSize - 1) / pageSize * pageSize
        guard let raw = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            throw .system(function: "mmap", target: "\(byteCount) bytes of metrics", errno: errno)
        }
        // An anonymous mapping starts zeroed; binding it makes the zeros atomics holding 0.
        base = raw.bindMemory(to: Atomic<UInt64>.self, capacity: byteCount / MemoryLayout<Atomic<UInt64>>.stride)
    }

    deinit { munmap(base, byteCount) }

    /// The counter of `family` with `labels` (one value per label, in the family's label order).
    public func counter(_ family: MetricFamily, _ labels: String...) -> Counter {
        precondition(family.kind == .counter, "\(family.name) is not a counter")
        return Counter(slot: slot(family, labels), region: self)
    }

    public func gauge(_ family: MetricFamily, _ labels: String...) -> Gauge {
        precondition(family.kind == .gauge, "\(family.name) is not a gauge")
        return Gauge(slot: slot(family, labels), region: self)
    }

    public func histogram(_ family: MetricFamily, _ labels: String...) -> Histogram {
        guard case let .histogram(buckets) = family.kind else { preconditionFailure("\(family.name) is not a histogram") }
        return Histogram(slots: slot(family, labels), bounds: buckets, region: self)
    }

    private func slot(_ family: MetricFamily, _ labels: [String]) -> UnsafeMutablePointer<Atomic<UInt64>> {
        guard let series = family.seriesIndex(labels) else {
            preconditionFailure("\(family.name) has no series \(labels)")
        }
        return base + catalogue.slot(of: family, series: series)
    }

    /// Every family's current values, in catalogue order. Each slot is read atomically; a
    /// histogram's count is the sum of its buckets as read, so buckets and count always agree.
    public func read() -> [FamilyReading] {
        catalogue.families.map { family in
            let first = catalogue.slot(of: family, series: 0)
            let values: [SeriesValue] = (0..<family.seriesCount).map { series in
                let slots = base + first + series * family.slotsPerSeries
                switch family.kind {
                case .counter:
                    return .counter(slots[0].load(ordering: .relaxed))
                case .gauge:
                    return .gauge(Double(Int64(bitPattern: slots[0].load(ordering: .relaxed))))
                case let .histogram(buckets):
                    let counts = (0...buckets.count).map { slots[$0].load(ordering: .relaxed) }
                    let nanoseconds = slots[buckets.count + 1].load(ordering: .relaxed)
                    return .histogram(bucketCounts: counts, sum: Double(nanoseconds) / 1e9)
                }
            }
            return FamilyReading(family: family, values: values)
        }
    }
}
