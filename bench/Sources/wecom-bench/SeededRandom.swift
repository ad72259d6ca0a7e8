/// SplitMix64: fast, and the same seed gives the same backlog and request contents, so a
/// before/after pair of runs can measure identical traffic.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` characters drawn from `alphabet` (ASCII).
    mutating func string(_ count: Int, from alphabet: [UInt8]) -> String {
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices { bytes[index] = alphabet[Int(next() % UInt64(alphabet.count))] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}
