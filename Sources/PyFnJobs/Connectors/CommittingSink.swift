// Exactly-once sinks: what a sink whose output becomes visible only at commit points (the end of the job, and in
// streaming jobs every `execution.checkpointing.interval`) offers the runner, and the settings that place them.
import Foundation
import PyFnRunner

/// A sink that makes its rows visible only when they are committed: at ``TableSink/close()`` (the job's end) and
/// at each ``commit()`` of a streaming job. Rows written since the last commit are discarded by ``abort()``, or by
/// a crash of the runner: a file sink writes to a hidden in-progress file that is renamed into place, a database
/// sink writes in one transaction. Database sinks also record each commit under the job's ``SinkJobIdentity`` (in
/// the table `pyfn_sink_commits`), so a rerun of a bounded job whose rows were already committed writes nothing.
public protocol CommittingSink: TableSink {
    /// Tells the sink which job writes to it, before ``TableSink/open(schema:upsertKey:)``.
    func identify(_ job: SinkJobIdentity) async
    /// After ``TableSink/open(schema:upsertKey:)``: a description of the earlier run of this very job (same
    /// ``SinkJobIdentity``, bounded input) that already committed its rows, or nil. The runner then skips the
    /// INSERT and leaves the sink as that run left it.
    func committedEarlier() async -> String?
    /// Makes the rows written so far visible (a streaming job's commit interval).
    func commit() async throws
    /// Discards the rows written since the last commit and releases the sink (the job failed).
    func abort() async
}

/// How often a streaming job (unbounded source) commits its sink: Flink's `execution.checkpointing.interval`,
/// default 10 s. Bounded jobs commit once, when they finish.
public struct SinkCommitOptions: Sendable {
    /// The setting's name.
    public static let intervalSetting = "execution.checkpointing.interval"
    /// Time between commits of a streaming job's sink.
    public var interval: Duration = .seconds(10)

    /// The defaults.
    public init() {}

    /// The options of a job's `SET` statements; throws ``ConnectorError`` for an interval that is not a positive
    /// Flink duration.
    public init(settings: [String: String]) throws {
        guard let text = settings[Self.intervalSetting] else { return }
        guard let interval = FlinkDuration.parse(text), interval > .zero else {
            throw ConnectorError("\(Self.intervalSetting) must be a positive duration such as '10 s' or '500 ms', not '\(text)'")
        }
        self.interval = interval
    }
}
