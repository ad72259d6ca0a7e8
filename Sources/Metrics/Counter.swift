import Synchronization

/// One counter series in a `MetricsRegion`: adds are atomic and visible to every process that
/// shares the region.
public struct Counter: @unchecked Sendable {
    // @unchecked: the slot is only touched atomically, and `region` keeps it mapped.
    let slot: UnsafeMutablePointer<Atomic<UInt64>>
    let region: MetricsRegion

    public func increment(by amount: UInt64 = 1) {
        slot.pointee.wrappingAdd(amount, ordering: .relaxed)
    }

    public var value: UInt64 { slot.pointee.load(ordering: .relaxed) }
}
