#if canImport(Glibc)
import Glibc
#endif
import Metrics
import Testing

struct MetricsRegionTests {
    static let family = MetricFamily(name: "demo_total", help: "Adds.", kind: .counter)
    static let latency = MetricFamily(name: "demo_seconds", help: "Latency.", kind: .histogram(buckets: [0.001]))

    /// The region is mapped before the forks, so the children's adds land in the parent's
    /// memory: two processes adding at the same time lose none.
    @Test func twoForkedProcessesAddToOneCounterExactly() throws {
        let region = try MetricsRegion(catalogue: MetricsCatalogue([Self.family, Self.latency]))
        let counter = region.counter(Self.family)
        let histogram = region.histogram(Self.latency)
        let adds = 200_000
        var children: [pid_t] = []
        for _ in 0..<2 {
            let pid = fork()
            if pid == 0 {
                // Only atomic adds on already-made handles here: no allocation, no locks.
                for _ in 0..<adds {
                    counter.increment()
                    histogram.observe(nanoseconds: 2_000_000)
                }
                _exit(0)
            }
            #expect(pid > 0)
            children.append(pid)
        }
        for pid in children {
            var status: Int32 = 0
            #expect(waitpid(pid, &status, 0) == pid)
            #expect(status == 0)
        }
        #expect(counter.value == UInt64(2 * adds))
        #expect(histogram.count == UInt64(2 * adds))
        #expect(region.read()[1].values == [.histogram(bucketCounts: [0, UInt64(2 * adds)], sum: Double(2 * adds) * 0.002)])
    }

    @Test func aGaugeIsSignedAndCanBeSet() throws {
        let family = MetricFamily(name: "demo_slots", help: "Slots.", kind: .gauge,
                                  labels: [MetricLabel("state", values: ["busy", "free"])])
        let region = try MetricsRegion(catalogue: MetricsCatalogue([family]))
        region.gauge(family, "busy").add(-3)
        region.gauge(family, "free").set(8)
        region.gauge(family, "free").add(2)
        #expect(region.read() == [FamilyReading(gauge: family, [-3, 10])])
    }
}
