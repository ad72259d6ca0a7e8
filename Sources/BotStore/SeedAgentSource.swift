/// One row of the original Python service's `agents` table: a Dify app it called by id.
public struct SeedAgent: Sendable, Equatable {
    /// The id as text (the original used numbers: "1").
    public var id: String
    public var name: String?
    /// The Dify API base URL.
    public var apiEndpoint: String?
    /// The Dify app's API key. Never printed.
    public var apiKey: String?
    public var isActive: Bool

    public init(id: String, name: String?, apiEndpoint: String?, apiKey: String?, isActive: Bool) {
        self.id = id; self.name = name; self.apiEndpoint = apiEndpoint; self.apiKey = apiKey
        self.isActive = isActive
    }
}

/// Where `wecomctl agents import-seed` reads the original service's agents from: a table in
/// another database (or another schema of the same one), outside this store's tables.
public protocol SeedAgentSource: AnyObject, CustomStringConvertible {
    /// Every row, in id order.
    func seedAgents() throws -> [SeedAgent]

    /// Closes the connection. Never fails.
    func close()
}
