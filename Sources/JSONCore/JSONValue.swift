/// Any JSON value, for template cards and raw event payloads.
///
/// Numbers are stored as `Double`. When ``JSONWriter`` writes one, a number with no fractional part that fits in
/// 53 bits is written as an integer (`1`, not `1.0`), so integer fields round-trip unchanged.
/// Non-finite numbers (NaN, ±infinity) have no JSON spelling and are written as `null`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}
