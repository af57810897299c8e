import Foundation

/// Where Python time went (`python.profile.enabled`): cProfile statistics of the workers' UDF evaluation,
/// as each worker sent them (docs/wire-contract.md, "Profiling") or merged over workers.
public struct ProfileReport: Codable, Sendable {
    /// One Python function's totals.
    public struct Entry: Codable, Sendable {
        /// The function's name.
        public var function: String
        /// Its file (shortened) and line.
        public var file: String
        /// Its first line.
        public var line: Int
        /// Calls, recursive ones included.
        public var calls: Int
        /// Seconds in the function itself.
        public var tottime: Double
        /// Seconds in the function and what it called.
        public var cumtime: Double

        /// `file:line(function)`, as pstats prints it.
        public var location: String { "\(file):\(line)(\(function))" }
    }

    /// The workers whose statistics are in it.
    public var workers: [String]
    /// The operators they ran.
    public var operators: [String]
    /// Profiled bundles.
    public var bundles: Int
    /// Seconds under the profiler.
    public var totalSeconds: Double
    /// The functions, most cumulative time first.
    public var functions: [Entry]

    private struct Wire: Decodable {
        var bundles: Int
        var total_seconds: Double
        var functions: [WireEntry]
    }
    private struct WireEntry: Decodable {
        var function: String
        var file: String
        var line: Int
        var calls: Int
        var tottime: Double
        var cumtime: Double
    }

    /// A worker's statistics from the JSON it sent.
    static func decode(_ json: Data, worker: String, operatorName: String) throws -> ProfileReport {
        let wire = try JSONDecoder().decode(Wire.self, from: json)
        return ProfileReport(workers: [worker], operators: [operatorName], bundles: wire.bundles, totalSeconds: wire.total_seconds,
                             functions: wire.functions.map {
                                 Entry(function: $0.function, file: $0.file, line: $0.line, calls: $0.calls, tottime: $0.tottime, cumtime: $0.cumtime)
                             })
    }

    /// Several workers' statistics as one: the same function's calls and times add up.
    static func merged(_ reports: [ProfileReport]) -> ProfileReport {
        var byLocation: [String: Entry] = [:]
        for entry in reports.flatMap(\.functions) {
            if var known = byLocation[entry.location] {
                known.calls += entry.calls
                known.tottime += entry.tottime
                known.cumtime += entry.cumtime
                byLocation[entry.location] = known
            } else {
                byLocation[entry.location] = entry
            }
        }
        let functions = byLocation.values.sorted { ($0.cumtime, $0.tottime, $1.location) > ($1.cumtime, $1.tottime, $0.location) }
        return ProfileReport(workers: reports.flatMap(\.workers), operators: Array(Set(reports.flatMap(\.operators))).sorted(),
                             bundles: reports.reduce(0) { $0 + $1.bundles }, totalSeconds: reports.reduce(0) { $0 + $1.totalSeconds },
                             functions: functions)
    }

    /// The `limit` functions with the most cumulative time as a text table.
    public func table(limit: Int = 15) -> String {
        var lines = [String(format: "Python profile: %d bundles on %d worker%@, %.3f s profiled; top %d by cumulative time",
                            bundles, workers.count, workers.count == 1 ? "" : "s", totalSeconds, min(limit, functions.count))]
        func padded(_ text: String) -> String { String(repeating: " ", count: max(0, 10 - text.count)) + text }
        lines.append([padded("calls"), padded("tottime"), padded("cumtime"), " function"].joined(separator: " "))
        for entry in functions.prefix(limit) {
            lines.append(String(format: "%10d %10.3f %10.3f  %@", entry.calls, entry.tottime, entry.cumtime, entry.location))
        }
        return lines.joined(separator: "\n")
    }
}
