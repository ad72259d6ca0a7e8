/// The Prometheus text exposition format (version 0.0.4) of a set of readings: `# HELP` and
/// `# TYPE` per family, one line per series; a histogram's buckets cumulative with `le` in
/// seconds, then `_sum` and `_count`.
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ readings: [FamilyReading]) -> String {
        var text = ""
        for reading in readings {
            let family = reading.family
            text += "# HELP \(family.name) \(escapedHelp(family.help))\n"
            text += "# TYPE \(family.name) \(typeName(family.kind))\n"
            for (series, value) in reading.values.enumerated() {
                let labels = zip(family.labels.map(\.name), family.labelValues(ofSeries: series)).map { ($0, $1) }
                switch value {
                case let .counter(count):
                    text += line(family.name, labels, String(count))
                case let .gauge(number):
                    text += line(family.name, labels, formatted(number))
                case let .histogram(counts, sum):
                    guard case let .histogram(bounds) = family.kind else { continue }
                    var cumulative: UInt64 = 0
                    for (index, count) in counts.enumerated() {
                        cumulative &+= count
                        let le = index < bounds.count ? formatted(bounds[index]) : "+Inf"
                        text += line(family.name + "_bucket", labels + [("le", le)], String(cumulative))
                    }
                    text += line(family.name + "_sum", labels, formatted(sum))
                    text += line(family.name + "_count", labels, String(cumulative))
                }
            }
        }
        return text
    }

    private static func typeName(_ kind: MetricFamily.Kind) -> String {
        switch kind {
        case .counter: return "counter"
        case .gauge: return "gauge"
        case .histogram: return "histogram"
        }
    }

    private static func line(_ name: String, _ labels: [(String, String)], _ value: String) -> String {
        guard !labels.isEmpty else { return "\(name) \(value)\n" }
        let pairs = labels.map { "\($0.0)=\"\(escapedLabelValue($0.1))\"" }.joined(separator: ",")
        return "\(name){\(pairs)} \(value)\n"
    }

    /// Integers without a fraction (`1`, not `1.0`), others as Swift's shortest round-trip form,
    /// which Prometheus parses (`0.005`, `1e-05`); the special values as Prometheus spells them.
    static func formatted(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    private static func escapedHelp(_ help: String) -> String {
        help.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    private static func escapedLabelValue(_ value: String) -> String {
        value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }
}

extension String {
    /// Without Foundation: every `target` character replaced.
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
