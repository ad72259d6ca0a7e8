import CCurl
import Foundation

/// The Swift side of one transfer's C callbacks: body bytes, header activity, the idle watchdog
/// and the connect-time address filter.
///
/// libcurl calls back on the thread running `curl_easy_perform`, with `Unmanaged` pointers to
/// this object as user data; ``CurlEasy/perform(_:)`` keeps it alive meanwhile. The callbacks
/// never throw: they record what happened here and return curl's "stop" values
/// (a short write → `CURLE_WRITE_ERROR`, non-zero xferinfo → `CURLE_ABORTED_BY_CALLBACK`,
/// `CURL_SOCKET_BAD` → `CURLE_COULDNT_CONNECT`).
final class TransferSink {
    /// Receives each body chunk; returning false stops the transfer.
    private let onBody: (UnsafeRawBufferPointer) -> Bool
    /// Longest allowed gap between received bytes; nil disables the watchdog.
    private let idleLimit: Duration?
    /// Decides whether a resolved address may be connected to; nil connects anywhere.
    private let addressFilter: ((IPAddress) -> Bool)?
    /// Runs on every progress callback (about once a second while idle); false stops the transfer.
    private let onTick: (() -> Bool)?

    private var lastActivity = ContinuousClock.now
    private var lastDownloaded: curl_off_t = 0
    private var lastUploaded: curl_off_t = 0
    /// Whether the watchdog stopped the transfer.
    private(set) var idleExpired = false
    /// The first address ``addressFilter`` refused (or an address that was not IP at all).
    private(set) var refusedAddress: String?

    init(
        idleLimit: Double? = nil,
        addressFilter: ((IPAddress) -> Bool)? = nil,
        onTick: (() -> Bool)? = nil,
        onBody: @escaping (UnsafeRawBufferPointer) -> Bool
    ) {
        self.idleLimit = idleLimit.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        self.addressFilter = addressFilter
        self.onTick = onTick
        self.onBody = onBody
    }

    // MARK: Callbacks

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        lastActivity = .now
        return onBody(bytes)
    }

    fileprivate func receiveHeader() {
        lastActivity = .now
    }

    /// The watchdog: any progress counts as activity (`event: ping` lines are bytes too).
    fileprivate func progress(downloaded: curl_off_t, uploaded: curl_off_t) -> Bool {
        if let onTick, !onTick() { return false }
        guard let idleLimit else { return true }
        let now = ContinuousClock.now
        if downloaded != lastDownloaded || uploaded != lastUploaded {
            lastDownloaded = downloaded
            lastUploaded = uploaded
            lastActivity = now
        }
        if now - lastActivity > idleLimit {
            idleExpired = true
            return false
        }
        return true
    }

    fileprivate func permits(_ address: UnsafePointer<sockaddr>, length: Int) -> Bool {
        guard let addressFilter else { return true }
        guard let ip = IPAddress(address, length: length) else {
            refusedAddress = refusedAddress ?? "non-IP address family \(address.pointee.sa_family)"
            return false
        }
        guard addressFilter(ip) else {
            refusedAddress = refusedAddress ?? ip.description
            return false
        }
        return true
    }

    // MARK: Installation

    func install(on easy: CurlEasy) {
        let context = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        easy.set(CURLOPT_WRITEDATA, pointer: context)
        easy.set(CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let sink = Unmanaged<TransferSink>.fromOpaque(context!).takeUnretainedValue()
            let length = size * count
            return sink.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
        }
        easy.set(CURLOPT_HEADERDATA, pointer: context)
        easy.set(CURLOPT_HEADERFUNCTION) { _, size, count, context in
            Unmanaged<TransferSink>.fromOpaque(context!).takeUnretainedValue().receiveHeader()
            return size * count
        }
        if idleLimit != nil || onTick != nil {
            easy.set(CURLOPT_NOPROGRESS, 0)
            easy.set(CURLOPT_XFERINFODATA, pointer: context)
            easy.setProgressCallback { context, _, downloaded, _, uploaded in
                let sink = Unmanaged<TransferSink>.fromOpaque(context!).takeUnretainedValue()
                return sink.progress(downloaded: downloaded, uploaded: uploaded) ? 0 : 1
            }
        }
        if addressFilter != nil {
            easy.set(CURLOPT_OPENSOCKETDATA, pointer: context)
            easy.setOpenSocketCallback { context, purpose, address in
                guard let context, let address, purpose == CURLSOCKTYPE_IPCXN else { return CURL_SOCKET_BAD }
                let sink = Unmanaged<TransferSink>.fromOpaque(context).takeUnretainedValue()
                let request = address.pointee
                guard sink.permits(CCurl_sockaddr_address(address), length: Int(request.addrlen)) else {
                    return CURL_SOCKET_BAD
                }
                return socket(request.family, request.socktype, request.protocol)
            }
        }
    }

    /// Clears the user-data pointers so the handle never keeps a pointer to a dead sink.
    func uninstall(from easy: CurlEasy) {
        easy.set(CURLOPT_WRITEDATA, pointer: nil)
        easy.set(CURLOPT_HEADERDATA, pointer: nil)
        easy.set(CURLOPT_XFERINFODATA, pointer: nil)
        easy.set(CURLOPT_OPENSOCKETDATA, pointer: nil)
        easy.set(CURLOPT_NOPROGRESS, 1)
        easy.setProgressCallback(nil)
        easy.setOpenSocketCallback(nil)
        easy.set(CURLOPT_WRITEFUNCTION, callback: nil)
        easy.set(CURLOPT_HEADERFUNCTION, callback: nil)
    }
}

@available(*, unavailable)
extension TransferSink: Sendable {}
