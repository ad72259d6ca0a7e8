import Testing
@testable import DifyClient

@Suite struct AddressPolicyTests {
    @Test(arguments: [
        // IPv4
        ("8.8.8.8", AddressClass.global),
        ("1.1.1.1", .global),
        ("100.63.255.255", .global),
        ("100.128.0.0", .global),
        ("172.15.255.255", .global),
        ("172.32.0.0", .global),
        ("192.169.0.1", .global),
        ("223.255.255.255", .global),
        ("0.0.0.0", .unspecified),
        ("0.1.2.3", .unspecified),
        ("127.0.0.1", .loopback),
        ("127.255.255.254", .loopback),
        ("10.0.0.1", .privateUse),
        ("10.255.255.255", .privateUse),
        ("172.16.0.1", .privateUse),
        ("172.31.255.255", .privateUse),
        ("192.168.1.1", .privateUse),
        ("100.64.0.1", .sharedCGNAT),
        ("100.127.255.255", .sharedCGNAT),
        ("169.254.169.254", .linkLocal),
        ("224.0.0.1", .multicast),
        ("239.255.255.250", .multicast),
        ("240.0.0.1", .reserved),
        ("255.255.255.255", .reserved),
        ("192.0.0.8", .reserved),
        ("192.0.2.1", .reserved),
        ("198.18.0.1", .reserved),
        ("198.51.100.7", .reserved),
        ("203.0.113.9", .reserved),
        // IPv6
        ("2606:4700:4700::1111", .global),
        ("2400:3200::1", .global),
        ("::", .unspecified),
        ("::1", .loopback),
        ("::2", .reserved),
        ("fc00::1", .privateUse),
        ("fd12:3456:789a::1", .privateUse),
        ("fe80::1", .linkLocal),
        ("febf:ffff::1", .linkLocal),
        ("fec0::1", .privateUse),
        ("ff02::1", .multicast),
        ("2001:db8::1", .reserved),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", .reserved),
        ("100::1", .reserved),
        ("3fff::1", .reserved),
        // IPv6 with an IPv4 inside: judged by the IPv4 address.
        ("::ffff:127.0.0.1", .loopback),
        ("::ffff:10.1.2.3", .privateUse),
        ("::ffff:169.254.169.254", .linkLocal),
        ("::ffff:0.0.0.0", .unspecified),
        ("::ffff:8.8.8.8", .global),
        ("::127.0.0.1", .reserved),
        ("64:ff9b::10.0.0.1", .privateUse),
        ("64:ff9b::8.8.8.8", .global),
        ("64:ff9b:1::1", .privateUse),
        ("2002:7f00:1::1", .loopback),
        ("2002:c0a8:101::1", .privateUse),
        ("2002:808:808::1", .global),
    ])
    func classification(text: String, expected: AddressClass) throws {
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.classify(address) == expected)
    }

    @Test(arguments: AddressClass.allCases)
    func permissions(kind: AddressClass) throws {
        let sample: [AddressClass: String] = [
            .global: "8.8.8.8", .loopback: "127.0.0.1", .privateUse: "192.168.0.1", .linkLocal: "fe80::1",
            .sharedCGNAT: "100.64.0.1", .unspecified: "0.0.0.0", .multicast: "ff02::1", .reserved: "192.0.2.1",
        ]
        let text = try #require(sample[kind])
        let address = try #require(IPAddress(text))
        #expect(AddressPolicy.classify(address) == kind)
        let strict = AddressPolicy(allowPrivate: false).permits(address)
        let relaxed = AddressPolicy(allowPrivate: true).permits(address)
        switch kind {
        case .global:
            #expect(strict && relaxed)
        case .unspecified, .multicast:
            #expect(!strict && !relaxed)
        default:
            #expect(!strict && relaxed)
        }
    }

    @Test(arguments: ["", "localhost", "1.2.3", "256.1.1.1", "[::1]", "::ffff:1.2.3.4.5", "1.2.3.4 "])
    func nonNumericTextIsNotAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("10.0.0.1", "10.0.0.1"), ("::1", "::1"), ("0:0:0:0:0:ffff:a00:1", "::ffff:10.0.0.1"),
        ("FE80:0:0:0:0:0:0:1", "fe80::1"),
    ])
    func addressesPrintCanonically(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).description == canonical)
    }
}
