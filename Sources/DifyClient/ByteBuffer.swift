/// A growable byte buffer shared between a ``TransferSink`` closure and the code reading it.
final class ByteBuffer {
    private(set) var bytes: [UInt8] = []
    /// Set when an append was refused because of the limit.
    private(set) var overflowed = false

    /// Appends `chunk` unless the total would exceed `limit`; then keeps nothing more and returns false.
    func append(_ chunk: UnsafeRawBufferPointer, limit: Int) -> Bool {
        guard bytes.count + chunk.count <= limit else {
            overflowed = true
            return false
        }
        bytes.append(contentsOf: chunk)
        return true
    }

    /// Like ``append(_:limit:)`` but keeps the bytes that still fit.
    func appendTruncating(_ chunk: UnsafeRawBufferPointer, limit: Int) -> Bool {
        let room = max(0, limit - bytes.count)
        bytes.append(contentsOf: chunk.prefix(room))
        if chunk.count > room { overflowed = true }
        return chunk.count <= room
    }
}

@available(*, unavailable)
extension ByteBuffer: Sendable {}
