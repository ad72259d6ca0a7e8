import Synchronization

/// One gauge series in a `MetricsRegion`: a signed integer (busy slots, connected bots) set or
/// moved atomically by any process sharing the region.
public struct Gauge: @unchecked Sendable {
    // @unchecked: the slot is only touched atomically, and `region` keeps it mapped.
    let slot: UnsafeMutablePointer<Atomic<UInt64>>
    let region: MetricsRegion

    public func set(_ value: Int64) {
        slot.pointee.store(UInt64(bitPattern: value), ordering: .relaxed)
    }

    /// Adds `delta` (negative to subtract); two's complement makes a wrapping add of the bit
    /// pattern a signed add.
    public func add(_ delta: Int64) {
        slot.pointee.wrappingAdd(UInt64(bitPattern: delta), ordering: .relaxed)
    }

    public var value: Int64 { Int64(bitPattern: slot.pointee.load(ordering: .relaxed)) }
}
