import Foundation
import Synchronization

/// Live counts of a running job, safe to read from another task (the progress line).
public final class JobProgress: Sendable {
    private let counts = Mutex(Counts())
    private let start = ContinuousClock.now

    /// A snapshot of the counts.
    public struct Counts: Sendable {
        /// Rows read from sources.
        public var rowsIn = 0
        /// Rows written to sinks (upserts count once per write).
        public var rowsOut = 0
        /// Rows skipped by sources that ignore parse errors.
        public var rowsSkipped = 0
        /// Groups held by aggregations.
        public var groups = 0
        /// Rows dropped by time windows because the watermark had passed all of their windows.
        public var lateRows = 0
    }

    /// An empty tally.
    public init() {}

    /// The current counts.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// Seconds since the job started.
    public var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    /// One line for a terminal: rows in and out, rate, groups.
    public var line: String {
        let c = snapshot
        let seconds = max(elapsedSeconds, 0.001)
        var text = String(format: "%7.1fs  in %d rows (%.0f rows/s)  out %d rows", seconds, c.rowsIn, Double(c.rowsIn) / seconds, c.rowsOut)
        if c.groups > 0 { text += "  \(c.groups) groups" }
        if c.rowsSkipped > 0 { text += "  \(c.rowsSkipped) unparsable rows skipped" }
        return text
    }
}
