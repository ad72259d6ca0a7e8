import Metrics
import Testing

struct PrometheusTextTests {
    static let callbacks = MetricFamily(
        name: "demo_callbacks_total", help: "Callbacks answered.", kind: .counter,
        labels: [MetricLabel("kind", values: ["message", "refresh"]), MetricLabel("status", values: ["200", "503"])])
    static let busy = MetricFamily(name: "demo_busy_slots", help: "Busy slots.", kind: .gauge)
    static let duration = MetricFamily(
        name: "demo_duration_seconds", help: "Handling time.", kind: .histogram(buckets: [0.005, 0.1, 1]),
        labels: [MetricLabel("kind", values: ["message"])])

    @Test func aRegionsValuesAreWrittenInTheTextFormat() throws {
        let region = try MetricsRegion(catalogue: MetricsCatalogue([Self.callbacks, Self.busy, Self.duration]))
        region.counter(Self.callbacks, "message", "200").increment(by: 3)
        region.counter(Self.callbacks, "refresh", "503").increment()
        let busy = region.gauge(Self.busy)
        busy.add(5)
        busy.add(-7)
        let histogram = region.histogram(Self.duration, "message")
        histogram.observe(.milliseconds(2))
        histogram.observe(.milliseconds(5))  // on a bound: counted in that bucket (le is "≤")
        histogram.observe(.milliseconds(250))
        histogram.observe(.seconds(3))

        #expect(PrometheusText.render(region.read()) == """
            # HELP demo_callbacks_total Callbacks answered.
            # TYPE demo_callbacks_total counter
            demo_callbacks_total{kind="message",status="200"} 3
            demo_callbacks_total{kind="message",status="503"} 0
            demo_callbacks_total{kind="refresh",status="200"} 0
            demo_callbacks_total{kind="refresh",status="503"} 1
            # HELP demo_busy_slots Busy slots.
            # TYPE demo_busy_slots gauge
            demo_busy_slots -2
            # HELP demo_duration_seconds Handling time.
            # TYPE demo_duration_seconds histogram
            demo_duration_seconds_bucket{kind="message",le="0.005"} 2
            demo_duration_seconds_bucket{kind="message",le="0.1"} 2
            demo_duration_seconds_bucket{kind="message",le="1"} 3
            demo_duration_seconds_bucket{kind="message",le="+Inf"} 4
            demo_duration_seconds_sum{kind="message"} 3.257
            demo_duration_seconds_count{kind="message"} 4

            """)
        #expect(histogram.count == 4)
    }

    @Test func readingsMadeAtScrapeTimeAndEscapedLabelValues() {
        let family = MetricFamily(name: "demo_jobs", help: "Jobs by state \\ in the \"queue\".", kind: .gauge,
                                  labels: [MetricLabel("state", values: ["queued", "a\"b\\c\nd"])])
        let text = PrometheusText.render([FamilyReading(gauge: family, [1.5, 0.25e-5])])
        #expect(text == """
            # HELP demo_jobs Jobs by state \\\\ in the "queue".
            # TYPE demo_jobs gauge
            demo_jobs{state="queued"} 1.5
            demo_jobs{state="a\\"b\\\\c\\nd"} 2.5e-06

            """)
    }

    @Test func theCatalogueRefusesWhatTheFormatForbids() {
        let refused: [MetricFamily] = [
            MetricFamily(name: "demo_requests", help: "", kind: .counter),
            MetricFamily(name: "9demo", help: "", kind: .gauge),
            MetricFamily(name: "demo", help: "two\nlines", kind: .gauge),
            MetricFamily(name: "demo", help: "", kind: .gauge, labels: [MetricLabel("__x", values: ["a"])]),
            MetricFamily(name: "demo", help: "", kind: .gauge, labels: [MetricLabel("x", values: [])]),
            MetricFamily(name: "demo", help: "", kind: .gauge, labels: [MetricLabel("x", values: ["a", "a"])]),
            MetricFamily(name: "demo", help: "", kind: .histogram(buckets: [1, 0.5])),
            MetricFamily(name: "demo", help: "", kind: .histogram(buckets: [1]), labels: [MetricLabel("le", values: ["a"])]),
        ]
        for family in refused {
            #expect(throws: MetricsError.self, "\(family)") { try MetricsCatalogue([family]) }
        }
        #expect(throws: MetricsError.invalidCatalogue("demo_busy_slots declared twice")) {
            try MetricsCatalogue([Self.busy, Self.busy])
        }
    }

    @Test func seriesIndexesRoundTrip() {
        let family = Self.callbacks
        #expect(family.seriesCount == 4)
        for index in 0..<4 { #expect(family.seriesIndex(family.labelValues(ofSeries: index)) == index) }
        #expect(family.seriesIndex(["message", "404"]) == nil)
        #expect(family.seriesIndex(["message"]) == nil)
    }
}
