/// The families one executable exports from a `MetricsRegion`, checked once and laid out: each
/// family's series get consecutive slots, in the order given.
public struct MetricsCatalogue: Sendable {
    public let families: [MetricFamily]
    /// The first slot of each family, by name.
    let offsets: [String: Int]
    /// Slots the region needs for every family.
    public let slotCount: Int

    public init(_ families: [MetricFamily]) throws(MetricsError) {
        var offsets: [String: Int] = [:]
        var next = 0
        for family in families {
            try Self.check(family)
            guard offsets[family.name] == nil else { throw .invalidCatalogue("\(family.name) declared twice") }
            offsets[family.name] = next
            next += family.seriesCount * family.slotsPerSeries
        }
        self.families = families
        self.offsets = offsets
        slotCount = next
    }

    /// The exposition format's rules for names and labels, plus this module's own: counters end
    /// in `_total`, every label lists at least one value, histogram buckets ascend.
    static func check(_ family: MetricFamily) throws(MetricsError) {
        let name = family.name
        guard isValidName(name, allowColon: true) else { throw .invalidCatalogue("\(name) is not a valid metric name") }
        guard !family.help.contains("\n") else { throw .invalidCatalogue("\(name): help must be one line") }
        var seen: Set<String> = []
        for label in family.labels {
            guard isValidName(label.name, allowColon: false), !label.name.hasPrefix("__") else {
                throw .invalidCatalogue("\(name): \(label.name) is not a valid label name")
            }
            guard seen.insert(label.name).inserted else { throw .invalidCatalogue("\(name): label \(label.name) twice") }
            guard !label.values.isEmpty, Set(label.values).count == label.values.count else {
                throw .invalidCatalogue("\(name): label \(label.name) needs distinct values")
            }
        }
        switch family.kind {
        case .counter:
            guard name.hasSuffix("_total") else { throw .invalidCatalogue("counter \(name) must end in _total") }
        case .gauge:
            break
        case let .histogram(buckets):
            guard !seen.contains("le") else { throw .invalidCatalogue("\(name): a histogram cannot have a label le") }
            guard !buckets.isEmpty, buckets.allSatisfy({ $0.isFinite && $0 > 0 }),
                  zip(buckets, buckets.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw .invalidCatalogue("\(name): buckets must be positive, finite and ascending")
            }
        }
    }

    private static func isValidName(_ name: String, allowColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || (allowColon && c == 0x3A) }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// The first slot of `family`'s series `series`; traps when the family is not in the catalogue
    /// (a programming error: the catalogue is fixed at start-up).
    func slot(of family: MetricFamily, series: Int) -> Int {
        guard let offset = offsets[family.name], families.contains(family) else {
            preconditionFailure("metric family \(family.name) is not in the catalogue")
        }
        return offset + series * family.slotsPerSeries
    }
}
