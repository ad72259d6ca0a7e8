extension StoreBackend {
    /// Why the store cannot be read now, or nil when it can: the database exists and a fresh
    /// connection (what a restarted process would need) answers a read within a responder's
    /// time limits. For `/healthz`.
    public func unreadableReason() -> String? {
        do {
            guard try exists() else { return "store unavailable: no database at \(self)" }
            let store = try openProbe()
            defer { store.close() }
            _ = try store.bot(id: "healthz")
            return nil
        } catch {
            return "\(error)"
        }
    }
}
