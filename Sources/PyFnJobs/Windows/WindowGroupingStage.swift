import PyFnArrow
import PyFnRunner

/// Time windows over event time: rows are kept per key and window until the watermark passes the window's end,
/// then the window fires — its built-in aggregates computed here, its Python aggregates (general and Pandas) by
/// ``GroupAggregateLane``s (one Python worker per partition of the keys), all of its rows sent in one bundle —
/// and its rows are dropped. At the end of a bounded input every window fires.
///
/// Late rows: a row is assigned only to windows that end after its arrival watermark (`$wm`, see
/// ``EventTimeSource``); a row with no such window is dropped and counted (``JobProgress/Counts/lateRows``).
/// Session windows merge a key's sessions that a row's `[t, t + gap)` touches, leaving out sessions the row's
/// watermark has already closed, as Flink's merging window operator does. Both decisions depend only on the row
/// and the rows read before it, so results do not depend on the parallelism or on timing.
///
/// Firing: windows fire up to the lowest watermark no lane can still be behind: the source's watermark, or the
/// first watermark of the oldest batch a lane has taken and not yet passed on (``passed(firstWatermark:)``).
///
/// A firing's Python aggregates run while the stage goes on taking rows: up to ``maxFiringsInFlight`` firings are
/// at the workers at once, and their results are written in firing order. Awaiting each firing's results before
/// taking the next row left runner and worker taking turns: in `pyfn-bench pandas_udaf_window` (167 firings of
/// 1,000 windows) the runner then waited 25 ms a firing, 4.2 s in all.
actor WindowGroupingStage: EventTimeStage {
    private struct Segment {
        let batchNumber: Int
        let batch: RecordBatch
        var rows: [Int32]
    }
    /// A session: a class, so that merging moves its segments once.
    private final class Window {
        let keyValues: [ArrowValue]
        var start: Int64
        var end: Int64
        var segments: [Segment] = []
        /// The batch number of the last segment (0: none), read without copying the segment (and retaining its
        /// batch) for every row.
        private var lastBatchNumber = 0

        init(keyValues: [ArrowValue], start: Int64, end: Int64) {
            self.keyValues = keyValues
            self.start = start
            self.end = end
        }

        func add(row: Int32, of batch: RecordBatch, number: Int) {
            if lastBatchNumber == number {
                segments[segments.count - 1].rows.append(row)
            } else {
                segments.append(Segment(batchNumber: number, batch: batch, rows: [row]))
                lastBatchNumber = number
            }
        }

        /// Takes over the rows of `others` (merged sessions), then of this window's own.
        func adopt(_ others: [Segment]) {
            segments = others + segments
            lastBatchNumber = segments.last?.batchNumber ?? 0
        }
    }
    /// A firing whose aggregates are being computed: what its output rows start with (keys, window bounds), and
    /// the aggregates' values per window.
    private struct Firing {
        let leading: [[ArrowValue]]
        let values: Task<[[ArrowValue]], any Error>
    }
    /// Firings at the workers at once (see the type's comment).
    static let maxFiringsInFlight = 4

    private let spec: WindowAggregation
    private let inputSchema: ArrowSchema
    private let outputSchema: ArrowSchema
    private let after: [PlanStep]
    private let writer: SinkWriter
    private let progress: JobProgress
    private let metrics: RunnerMetrics?
    private let aggregates: GroupAggregates

    /// Rows of TUMBLE, HOP, CUMULATE and whole-input windows.
    private var aligned: AlignedWindowRows
    private var sessions: [Int: [Window]] = [:]
    /// Numbers the keys column-wise (raw bytes of a string key, the value of an integer key), so a row costs one
    /// integer lookup and no boxed key values (an `AggregateKey` of boxed values per row before).
    private var keyGroups: HashAggregator
    private var batchNumber = 0
    /// First watermarks of the source batches lanes have not passed on yet (value → how many).
    private var firing = FiringWatermark()
    private var firedUpTo = Int64.min
    /// Firings whose aggregates are still being computed, oldest first.
    private var firings: [Firing] = []
    /// Whether a `writeFirings` call is writing, and the calls waiting for their turn.
    private var isWritingFirings = false
    private var waitingToWriteFirings: [CheckedContinuation<Void, Never>] = []

    init(spec: WindowAggregation, inputSchema: ArrowSchema, after: [PlanStep], partitions: Int, environment: any WorkerEnvironment,
         bundle: BundleOptions, python: PythonOptions, metrics: RunnerMetrics?, writer: SinkWriter, progress: JobProgress) throws {
        self.spec = spec
        self.inputSchema = inputSchema
        self.outputSchema = spec.outputSchema(input: inputSchema)
        self.after = after
        self.writer = writer
        self.progress = progress
        self.metrics = metrics
        metrics?.lateRecordsDropped(0, operatorName: "window")
        keyGroups = HashAggregator(keyCount: spec.keyCount, aggregates: [], partitions: 1)
        aligned = AlignedWindowRows(kind: spec.kind)
        aggregates = try GroupAggregates(builtIns: spec.builtIns, pythonCalls: spec.pythonCalls, inputSchema: inputSchema,
                                         describedBy: Array(0..<spec.keyCount), partitions: partitions, environment: environment,
                                         bundle: bundle, python: python, metrics: metrics)
    }

    // MARK: Watermarks

    /// A source batch was read: its rows' first watermark, and the source's watermark after its last row.
    func sourceBatch(firstWatermark: Int64, watermarkAfter: Int64) {
        firing.sourceBatch(firstWatermark: firstWatermark, watermarkAfter: watermarkAfter)
    }

    func passed(firstWatermark: Int64) async throws {
        try await fire(upTo: firing.passed(firstWatermark: firstWatermark))
    }

    // MARK: GroupingStage

    func add(_ batch: RecordBatch) async throws {
        batchNumber += 1
        let number = batchNumber
        let eventTimes = eventTimes(of: batch)
        if eventTimes.contains(nil) {
            throw WindowError("a row has a NULL event time in column '\(inputSchema.fields[spec.timeColumn].name)'; windows need an event time on every row (filter the NULLs out with WHERE)")
        }
        let times = eventTimes.map { $0! }
        let marks = batch.columns[spec.watermarkColumn].withValues(as: Int64.self) { Array($0) }
        let keys = keyGroups.keyGroups(batch)
        let held = try aggregates.reading(batch)  // what the windows keep of the rows
        var late = 0
        if case .session(let gap) = spec.kind {
            for row in 0..<batch.length where !addToSession(key: keys[row], time: times[row], gap: gap, watermark: marks[row],
                                                             row: Int32(row), batch: held, number: number) {
                late += 1
            }
        } else {
            late = aligned.add(held, keys: keys, times: times, marks: marks)
        }
        let open = aligned.openCount + sessions.values.reduce(0) { $0 + $1.count }
        progress.update {
            $0.lateRows += late
            $0.groups = open
        }
        metrics?.lateRecordsDropped(late, operatorName: "window")
    }

    /// The event time of each row in microseconds (nil for NULL), read from the raw column in one pass.
    private func eventTimes(of batch: RecordBatch) -> [Int64?] {
        let column = batch.columns[spec.timeColumn]
        return EventTimeSource.eventTimes(column, local: EventTimeSource.localTime(of: column.type))
    }

    /// Adds a row to its key's sessions; false when the row is late (its own session has closed already).
    private func addToSession(key: Int, time: Int64, gap: Int64, watermark: Int64, row: Int32,
                              batch: RecordBatch, number: Int) -> Bool {
        let merged = Window(keyValues: keyGroups.keyValues(ofGroup: key), start: time, end: time + gap)
        var kept: [Window] = []
        var segments: [Segment] = []
        for session in sessions[key] ?? [] {
            if session.end > watermark && session.start <= merged.end && merged.start <= session.end {
                merged.start = min(merged.start, session.start)
                merged.end = max(merged.end, session.end)
                segments += session.segments
            } else {
                kept.append(session)
            }
        }
        guard merged.end > watermark else { return false }
        merged.adopt(segments)
        merged.add(row: row, of: batch, number: number)
        kept.append(merged)
        sessions[key] = kept
        return true
    }

    /// Windows fire as lanes pass batches on (``passed(firstWatermark:)``); over processing time, also by the clock
    /// while the source is quiet.
    func emitChanges() async throws {
        try await writeFirings(keeping: 0)  // a quiet input's windows are written now, not at the next firing
        guard spec.processingTime else { return }
        try await fire(upTo: firing.byClock(now: ProcessingTimeSource.now()))
    }

    func finish() async throws {
        try await fire(upTo: .max)
        try await writeFirings(keeping: 0)
        await aggregates.close()
    }

    func close() async {
        for firing in firings { firing.values.cancel() }
        for firing in firings { _ = try? await firing.values.value }
        firings = []
        await aggregates.close()
    }

    // MARK: Firing

    private func fire(upTo watermark: Int64) async throws {
        guard watermark > firedUpTo else { return }
        firedUpTo = watermark
        if case .session = spec.kind {
            try await fireSessions(upTo: watermark)
        } else if let (fired, grouped, firstRow) = try aligned.fire(upTo: watermark, groupSchema: aggregates.groupSchema, keyValuesOf: { keyGroups.keyValues(ofGroup: $0) }) {
            try await emit(fired, grouped: grouped, firstRow: firstRow)
        }
    }

    private func fireSessions(upTo watermark: Int64) async throws {
        var ready: [Window] = []
        for (key, list) in sessions {
            let (closed, open) = (list.filter { $0.end <= watermark }, list.filter { $0.end > watermark })
            ready += closed
            sessions[key] = open.isEmpty ? nil : open
        }
        guard !ready.isEmpty else { return }
        ready.sort { ($0.end, $0.start) < ($1.end, $1.start) }
        // One `take` per source batch (its rows of all ready sessions), then one `take` that puts the rows in group
        // order: two passes over the rows, however many sessions and segments there are.
        var groupOfRow: [Int64] = []
        var firstRow: [Int] = []
        var batchSlot: [Int: Int] = [:]
        var sources: [RecordBatch] = []
        var picked: [[Int32]] = []
        var placed: [(slot: Int, index: Int)] = []
        for (group, window) in ready.enumerated() {
            firstRow.append(groupOfRow.count)
            for segment in window.segments {
                let slot: Int
                if let known = batchSlot[segment.batchNumber] {
                    slot = known
                } else {
                    slot = sources.count
                    batchSlot[segment.batchNumber] = slot
                    sources.append(segment.batch)
                    picked.append([])
                }
                for row in segment.rows {
                    placed.append((slot, picked[slot].count))
                    picked[slot].append(row)
                }
                groupOfRow += repeatElement(Int64(group), count: segment.rows.count)
            }
        }
        firstRow.append(groupOfRow.count)
        var offsets: [Int] = []
        var total = 0
        for rows in picked {
            offsets.append(total)
            total += rows.count
        }
        let together = try RecordBatch.concatenate(zip(sources, picked).map { $0.take($1) })
        let rows = sources.count == 1 ? together : together.take(placed.map { Int32(offsets[$0.slot] + $0.index) })
        let grouped = try RecordBatch(schema: aggregates.groupSchema, columns: [.int64(groupOfRow)] + rows.columns, length: rows.length)
        let fired = ready.map { AlignedWindowRows.Fired(keyValues: $0.keyValues, start: $0.start, end: $0.end) }
        try await emit(fired, grouped: grouped, firstRow: firstRow)
    }

    /// Starts computing the aggregates of the windows that fired (`grouped`: their rows, window by window, as
    /// ``GroupAggregates/values(of:groups:firstRow:partitionOf:)`` takes them), then writes the oldest firings.
    private func emit(_ fired: [AlignedWindowRows.Fired], grouped: RecordBatch, firstRow: [Int]) async throws {
        let partitionOfGroup = fired.map { Int(UInt(bitPattern: AggregateKey($0.keyValues).hashValue) % UInt(Int.max)) }
        let aggregates = self.aggregates
        let groups = fired.count
        let values = Task {
            try await aggregates.values(of: grouped, groups: groups, firstRow: firstRow) { group in partitionOfGroup[group] }
        }
        // Over an LTZ rowtime windows are on the session zone's clock; window_time is then the instant.
        let zone: SessionTimeZone? = spec.hasLocalZonedTime(inputSchema) ? SessionTimeZone.current : nil
        let leading = fired.map { window -> [ArrowValue] in
            let windowTime = zone.map { $0.instantMicros(ofLocal: window.end - 1000) } ?? window.end - 1000
            return window.keyValues
                + [.timestamp(window.start, .microsecond), .timestamp(window.end, .microsecond), .timestamp(windowTime, .microsecond)]
        }
        firings.append(Firing(leading: leading, values: values))
        try await writeFirings(keeping: Self.maxFiringsInFlight - 1)
    }

    /// Writes the oldest firings' rows, in firing order, until at most `keeping` are left computing. One call
    /// writes at a time: the stage is an actor, so while one awaits a firing's values or the sink, another call
    /// (a lane's `add` that fires windows) could otherwise write a later firing first.
    private func writeFirings(keeping: Int) async throws {
        while isWritingFirings { await withCheckedContinuation { waitingToWriteFirings.append($0) } }
        isWritingFirings = true
        defer {
            isWritingFirings = false
            if !waitingToWriteFirings.isEmpty { waitingToWriteFirings.removeFirst().resume() }
        }
        while firings.count > keeping {
            let firing = firings.removeFirst()
            let values = try await firing.values.value
            var builders = outputSchema.fields.map { ArrowArrayBuilder(type: $0.type) }
            for (group, leading) in firing.leading.enumerated() {
                for (index, value) in (leading + values[group]).enumerated() {
                    if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
                }
            }
            let output = try RecordBatch(schema: outputSchema, columns: builders.indices.map { builders[$0].finish() })
            try await writer.write(try StepChain.apply(after, to: output))
        }
    }

}

/// A windowed aggregation that cannot go on (a row without event time).
struct WindowError: Error, CustomStringConvertible {
    /// What is wrong.
    let description: String

    init(_ description: String) { self.description = description }
}
