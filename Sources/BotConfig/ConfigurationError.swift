/// A configuration problem that stops start-up: one line naming the variable, never its value.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var variable: String
    public var reason: String

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "configuration error: \(variable): \(reason)" }
}
