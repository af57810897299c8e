import Foundation
import GRPCCore
import Logging
import PyFnProto

/// BeamFnLogging: writes the workers' Python log records through swift-log, with the worker, the function and
/// the bundle as metadata.
struct LoggingService: BeamFnLogging.ServiceProtocol {
    let logger: Logger

    func logging(
        request: StreamingServerRequest<LogEntry.List>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<LogControl> {
        let workerID = request.metadata.workerID ?? "?"
        return StreamingServerResponse { _ in
            for try await list in request.messages {
                for entry in list.logEntries {
                    logger.write(entry, workerID: workerID)
                }
            }
            return [:]
        }
    }
}

extension Logger {
    /// Writes a worker's Python log record, with the worker, the function and the bundle as metadata.
    func write(_ entry: LogEntry, workerID: String) {
        var metadata: Logger.Metadata = ["worker": "\(workerID)"]
        if !entry.logLocation.isEmpty { metadata["function"] = "\(entry.logLocation)" }
        if !entry.instructionID.isEmpty { metadata["bundle"] = "\(entry.instructionID)" }
        let message = entry.trace.isEmpty ? entry.message : entry.message + "\n" + entry.trace
        log(level: entry.severity.loggerLevel, "\(message)", metadata: metadata)
    }
}

extension LogEntry.Severity.Enum {
    /// The swift-log level of a Beam severity.
    var loggerLevel: Logger.Level {
        switch self {
        case .trace, .unspecified: return .trace
        case .debug: return .debug
        case .info: return .info
        case .notice: return .notice
        case .warn: return .warning
        case .error: return .error
        case .critical: return .critical
        case .UNRECOGNIZED: return .info
        }
    }
}
