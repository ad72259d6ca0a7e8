import CCurl
import Foundation

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 16 bytes.
    public let bytes: [UInt8]

    /// Parses a numeric address (`inet_pton`): dotted IPv4 or IPv6 text, without brackets.
    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 {
            bytes = Array(buffer.prefix(4))
        } else if inet_pton(AF_INET6, text, &buffer) == 1 {
            bytes = buffer
        } else {
            return nil
        }
    }

    /// Reads an `AF_INET` or `AF_INET6` socket address; nil for other families or short lengths.
    init?(_ address: UnsafePointer<sockaddr>, length: Int) {
        let raw = UnsafeRawPointer(address)
        switch Int32(address.pointee.sa_family) {
        case AF_INET where length >= MemoryLayout<sockaddr_in>.size:
            let offset = MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!
            bytes = Array(UnsafeRawBufferPointer(start: raw + offset, count: 4))
        case AF_INET6 where length >= MemoryLayout<sockaddr_in6>.size:
            let offset = MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!
            bytes = Array(UnsafeRawBufferPointer(start: raw + offset, count: 16))
        default:
            return nil
        }
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Canonical text (`inet_ntop`): `10.0.0.1`, `::1`, `::ffff:10.0.0.1`.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What kind of network an address belongs to, for ``AddressPolicy``.
public enum AddressClass: String, Sendable, CaseIterable {
    /// Globally routable: always allowed.
    case global
    /// 127.0.0.0/8, ::1.
    case loopback
    /// 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48.
    case privateUse = "private"
    /// 169.254/16 (cloud metadata lives here), fe80::/10.
    case linkLocal = "link-local"
    /// 100.64/10 (carrier-grade NAT, RFC 6598).
    case sharedCGNAT = "CGNAT"
    /// 0.0.0.0/8, ::.
    case unspecified
    /// 224/4, ff00::/8.
    case multicast
    /// Documentation, benchmarking, 240/4, broadcast, Teredo, deprecated IPv4-compatible IPv6.
    case reserved
}

/// Which addresses an outbound fetch may connect to.
///
/// Pure: ``SafeFetcher`` applies it to the address libcurl is actually about to connect to
/// (`CURLOPT_OPENSOCKETFUNCTION`), so DNS answers and redirect targets are all covered.
/// IPv6 addresses embedding IPv4 (`::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
/// judged by the embedded IPv4 address.
public struct AddressPolicy: Sendable, Equatable {
    /// Allow loopback, private, link-local, CGNAT and reserved ranges (e.g. Dify on the LAN).
    /// Unspecified and multicast addresses are refused either way.
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// Whether a connection to `address` is allowed.
    public func permits(_ address: IPAddress) -> Bool {
        switch Self.classify(address) {
        case .global: true
        case .unspecified, .multicast: false
        case .loopback, .privateUse, .linkLocal, .sharedCGNAT, .reserved: allowPrivate
        }
    }

    /// The network class of `address`.
    public static func classify(_ address: IPAddress) -> AddressClass {
        let b = address.bytes
        return address.isIPv4 ? classifyIPv4(b[0], b[1], b[2]) : classifyIPv6(b)
    }

    private static func classifyIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> AddressClass {
        switch (a, b, c) {
        case (0, _, _): .unspecified
        case (127, _, _): .loopback
        case (10, _, _), (172, 16...31, _), (192, 168, _): .privateUse
        case (100, 64...127, _): .sharedCGNAT
        case (169, 254, _): .linkLocal
        case (224...239, _, _): .multicast
        case (240...255, _, _): .reserved  // includes 255.255.255.255
        case (192, 0, 0), (192, 0, 2), (198, 51, 100), (203, 0, 113), (198, 18...19, _), (192, 88, 99): .reserved
        default: .global
        }
    }

    private static func classifyIPv6(_ b: [UInt8]) -> AddressClass {
        let embedded = Array(b[12..<16])
        if b[0..<15].allSatisfy({ $0 == 0 }) {
            return b[15] == 0 ? .unspecified : (b[15] == 1 ? .loopback : .reserved)
        }
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
            return classifyIPv4(embedded[0], embedded[1], embedded[2])  // ::ffff:a.b.c.d
        }
        if b[0..<12].allSatisfy({ $0 == 0 }) { return .reserved }  // ::a.b.c.d (deprecated)
        if b[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] {
            return classifyIPv4(embedded[0], embedded[1], embedded[2])  // NAT64 64:ff9b::/96
        }
        if b[0..<6] == [0, 0x64, 0xFF, 0x9B, 0, 1] { return .privateUse }  // 64:ff9b:1::/48
        if b[0] == 0x20 && b[1] == 0x02 { return classifyIPv4(b[2], b[3], b[4]) }  // 6to4 2002::/16
        if b[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return .reserved }  // discard 100::/64
        if b[0..<4] == [0x20, 0x01, 0, 0] { return .reserved }  // Teredo 2001::/32
        if b[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return .reserved }  // documentation 2001:db8::/32
        if b[0] == 0x3F && b[1] == 0xFF && b[2] & 0xF0 == 0 { return .reserved }  // documentation 3fff::/20
        if b[0] & 0xFE == 0xFC { return .privateUse }  // unique local fc00::/7
        if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return .linkLocal }  // fe80::/10
        if b[0] == 0xFE && b[1] & 0xC0 == 0xC0 { return .privateUse }  // site-local fec0::/10
        if b[0] == 0xFF { return .multicast }
        return .global
    }
}
