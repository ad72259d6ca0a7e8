/// A statement parameter with its declared type: text format, except bytes, which go in binary
/// (`bytea`) so they need no escaping.
///
/// Types are declared rather than inferred, so a statement may take a parameter that some of its
/// forms do not use (the caller's `now` under ``DatabaseClock/server``) and `$1 IS NULL` needs
/// no cast.
struct PostgresParameter {
    enum Value {
        case text(String)
        case bytes([UInt8])
        case null
    }

    let value: Value
    /// The type's OID: fixed numbers of the system catalog (`pg_type`), the same on every server.
    let type: UInt32

    static let textType: UInt32 = 25
    static let bigintType: UInt32 = 20
    static let byteaType: UInt32 = 17

    /// PostgreSQL text cannot hold U+0000 (the server refuses the statement), and libpq's text
    /// parameters end at the first NUL byte; the character is stored as U+FFFD instead.
    static func text(_ value: String) -> PostgresParameter {
        guard value.utf8.contains(0) else { return PostgresParameter(value: .text(value), type: textType) }
        let cleaned = String(String.UnicodeScalarView(value.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : $0 }))
        return PostgresParameter(value: .text(cleaned), type: textType)
    }
}

/// A Swift value that can be a statement parameter.
protocol PostgresBindable {
    static var postgresType: UInt32 { get }
    var parameter: PostgresParameter { get }
}

extension String: PostgresBindable {
    static var postgresType: UInt32 { PostgresParameter.textType }
    var parameter: PostgresParameter { .text(self) }
}

extension Int64: PostgresBindable {
    static var postgresType: UInt32 { PostgresParameter.bigintType }
    var parameter: PostgresParameter { PostgresParameter(value: .text(String(self)), type: Self.postgresType) }
}

extension Int: PostgresBindable {
    static var postgresType: UInt32 { PostgresParameter.bigintType }
    var parameter: PostgresParameter { Int64(self).parameter }
}

extension [UInt8]: PostgresBindable {
    static var postgresType: UInt32 { PostgresParameter.byteaType }
    var parameter: PostgresParameter { PostgresParameter(value: .bytes(self), type: Self.postgresType) }
}

extension Optional: PostgresBindable where Wrapped: PostgresBindable {
    static var postgresType: UInt32 { Wrapped.postgresType }
    var parameter: PostgresParameter { self?.parameter ?? PostgresParameter(value: .null, type: Self.postgresType) }
}
