import BotConfig
import Foundation
import Logging

/// What every executable does first: load configuration (one clear line and exit 78 on a
/// bad value) and set up logging on stderr.
public enum StartUp {
    /// Loads the configuration or exits with EX_CONFIG after one line naming the variable.
    /// `overrides` win over the environment and `.env` (command-line options such as `--db`).
    public static func configuration(overrides: [String: String] = [:]) throws -> Configuration {
        do {
            return try Configuration.load(environment: ProcessInfo.processInfo.environment.merging(overrides) { $1 })
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(78)
        }
    }

    /// swift-log to stderr at `level` (WECOM_LOG_LEVEL), bootstrapped once per process.
    public static func logger(label: String, level: String) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = Logger.Level(rawValue: level) ?? .info
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }
}
