// A KeyedProcessFunction node's subtask with timers: feeds records to the worker with their timestamps and the
// watermark, keeps the timers the worker asks for, and fires them as the watermark (event time) or the wall
// clock (processing time) passes them. The wire is docs/wire-contract.md, "DataStream timers".
import Foundation
import PyFnArrow
import PyFnRunner

/// Runs one subtask of a node whose chain starts with a KeyedProcessFunction.
///
/// Replay stays exact because timer requests come back in a bundle's output, which the operator hands over only
/// once the bundle has succeeded (a lost worker's bundle is replayed, its requests with it); a timer leaves
/// ``KeyedTimers`` when the runner puts its firing into a bundle, and that bundle is replayed like any other.
/// Before event-time timers fire, every bundle in flight is awaited, so the requests of the records before are
/// known; processing-time timers fire after input batches and, while the input is quiet, by the clock.
struct KeyedTimerLoop {
    /// The worker's input: the record's key, `__timer` (0 a record, 1/2 an event/processing timer fires),
    /// `__time` (the record's timestamp or the timer's), `__watermark` (event time when the row is processed),
    /// then the record.
    static func inputSchema(value: ArrowField) -> ArrowSchema {
        var record = value
        record.nullable = true
        return ArrowSchema([ArrowField(DataStreamOperator.keyColumn, .binary, nullable: false),
                            ArrowField(timerColumn, .int8, nullable: false), ArrowField(timeColumn, .int64),
                            ArrowField(StreamEventTimeColumns.watermark, .int64, nullable: false), record])
    }

    /// The worker's output: `__timer` (0 a record, 1-4 a timer request of ``KeyedTimers/apply(request:time:key:)``),
    /// `__time` (a request's time), `__key` (a request's key; a record's key when the chain ends with key_by),
    /// then the record (null on request rows).
    static func outputSchema(value: ArrowField) -> ArrowSchema {
        var record = value
        record.nullable = true
        return ArrowSchema([ArrowField(timerColumn, .int8, nullable: false), ArrowField(timeColumn, .int64),
                            ArrowField(DataStreamOperator.keyColumn, .binary), record])
    }

    static let timerColumn = "__timer"
    static let timeColumn = "__time"
    /// Most rounds of firing at one watermark (on_timer registering due timers again and again) before the job
    /// stops with an error instead of spinning.
    static let maxRounds = 10_000

    let op: DataStreamOperator
    let name: String
    /// The record field the worker reads (the upstream's `value`).
    let valueField: ArrowField
    /// Batch mode: event time stays at its minimum until the input ends, then every timer fires.
    let isBatch: Bool
    /// Whether records go on with their `__key` (the chain ends with key_by).
    let keyedOutput: Bool
    /// Hands event time on (its input carries it): the writer id stamped on the output, whose records carry their
    /// timestamps (`__ts`: the record's, or the firing timer's).
    let handingOn: Int64?
    private var timers = KeyedTimers()
    private var watermark: InputWatermark
    private var firedUpTo = Int64.min
    /// The watermark handed on so far.
    private var sent = Int64.min

    init(op: DataStreamOperator, name: String, valueField: ArrowField, isBatch: Bool, keyedOutput: Bool, writers: Int,
         handingOn: Int64? = nil) {
        self.handingOn = handingOn
        self.op = op
        self.name = name
        self.valueField = valueField
        self.isBatch = isBatch
        self.keyedOutput = keyedOutput
        self.watermark = InputWatermark(writers: writers)
    }

    /// Runs the subtask over its input: records, timers due as event time advances, and at the end of the input
    /// the watermark at the end of time (every event-time timer fires; in batch mode every processing-time
    /// timer too — in streaming mode, as in Flink, processing-time timers still pending then do not fire).
    mutating func run(input: BatchChannel, emit: (RecordBatch) async throws -> Void) async throws {
        while let batch = try await next(input, emit: emit) {
            let now = isBatch ? Int64.min : watermark.current
            if batch.length > 0 { try await handle(try await op.process(try records(batch, watermark: now)), emit: emit) }
            guard !isBatch else { continue }
            watermark.observe(batch)
            let advanced = watermark.current
            if advanced > firedUpTo {
                try await fire(.eventTime, upTo: advanced, watermark: advanced, awaitRequests: true, emit: emit)
                firedUpTo = advanced
                if let handingOn {
                    // Every record and timer output before this watermark has left: hand it on.
                    sent = advanced
                    try await emit(StreamEventTimeColumns.watermarkOnly(mark: advanced, from: handingOn))
                }
            }
            // Processing-time timers the finished bundles asked for; waiting for the bundles in flight here would
            // cost every keyed process function its pipelining, so a timer asked for meanwhile fires after a later
            // batch.
            try await fire(.processingTime, upTo: Self.wallClock(), watermark: advanced, awaitRequests: false, emit: emit)
        }
        try await fire(.eventTime, upTo: .max, watermark: .max, awaitRequests: true, emit: emit)
        if isBatch { try await fire(.processingTime, upTo: .max, watermark: .max, awaitRequests: true, emit: emit) }
        try await handle(try await op.finish(), emit: emit)
    }

    /// How long a quiet input waits before the bundles in flight are awaited (their timer requests are needed to
    /// fire processing-time timers on time; with no input coming, waiting for them costs nothing).
    static let quietAfter: Duration = .milliseconds(20)

    /// The next input batch (nil at the end). In streaming mode, while the input is quiet, processing-time timers
    /// fire by the clock: the wait ends at the earliest timer (or soon, while bundles are in flight whose requests
    /// are not in yet).
    private mutating func next(_ input: BatchChannel, emit: (RecordBatch) async throws -> Void) async throws -> RecordBatch? {
        guard !isBatch else { return await input.receive() }
        while true {
            var deadline: ContinuousClock.Instant?
            if op.queuedRows > 0 { deadline = .now + Self.quietAfter }
            if let due = timers.earliest(.processingTime) {
                let at = ContinuousClock.now + .milliseconds(max(0, due - Self.wallClock()))
                deadline = min(deadline ?? at, at)
            }
            switch await input.receive(until: deadline) {
            case .batch(let batch): return batch
            case .end: return nil
            case .quiet:
                if op.queuedRows > 0 { try await handle(try await op.sendIfDue(), emit: emit) }
                try await fire(.processingTime, upTo: Self.wallClock(), watermark: watermark.current, awaitRequests: false, emit: emit)
            }
        }
    }

    /// Milliseconds since the epoch.
    static func wallClock() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Fires the timers of `domain` due at `time`, round after round while on_timer sets more that are due;
    /// `awaitRequests` first awaits every bundle in flight, so their timer requests are in.
    private mutating func fire(_ domain: TimerDomain, upTo time: Int64, watermark: Int64, awaitRequests: Bool,
                               emit: (RecordBatch) async throws -> Void) async throws {
        if awaitRequests { try await handle(try await op.finish(), emit: emit) }
        var rounds = 0
        while true {
            let due = timers.takeDue(domain, upTo: time)
            if due.isEmpty { return }
            rounds += 1
            if rounds > Self.maxRounds {
                throw DataStreamError("'\(name)': on_timer kept registering timers at or before \(time) for \(Self.maxRounds) rounds; a timer must move past the time that fires it")
            }
            let count = due.count
            let batch = try RecordBatch(schema: op.inputSchema, columns: [
                .binary(due.map(\.key)), .int8(due.map(\.domain.rawValue)), .int64(due.map(\.time)),
                .int64(Array(repeating: watermark, count: count)),
                try ArrowArray(valueField.type, values: Array(repeating: .null, count: count)),
            ], length: count)
            try await handle(try await op.process(batch), emit: emit)
            try await handle(try await op.finish(), emit: emit)
        }
    }

    /// The worker's input for an upstream batch: its records, with their timestamps (`__ts`, else none).
    private func records(_ batch: RecordBatch, watermark: Int64) throws -> RecordBatch {
        guard let keys = batch.column(named: DataStreamOperator.keyColumn),
              let values = batch.column(named: DataStreamOperator.valueColumn) else {
            throw DataStreamError("'\(name)' reads a keyed stream: its input needs '\(DataStreamOperator.keyColumn)' and '\(DataStreamOperator.valueColumn)' columns, got \(batch.schema.fields.map(\.name))")
        }
        let count = batch.length
        let stamps = batch.column(named: StreamEventTimeColumns.timestamp)
            ?? .int64(Array(repeating: 0, count: count), validity: Array(repeating: false, count: count))
        return try RecordBatch(schema: op.inputSchema, columns: [
            keys, .int8(Array(repeating: 0, count: count)), stamps, .int64(Array(repeating: watermark, count: count)), values,
        ], length: count)
    }

    /// Applies the timer requests of the worker's output and emits its records (`__key` when keyed, `value`).
    private mutating func handle(_ outputs: [RecordBatch], emit: (RecordBatch) async throws -> Void) async throws {
        for output in outputs where output.length > 0 {
            guard output.columns.count == 4, output.columns[0].type == .int8 else {
                throw DataStreamError("'\(name)': the worker's output must be \(Self.outputSchema(value: valueField).fields.map(\.name)) with an int8 '\(Self.timerColumn)', got \(output.schema.fields.map { "\($0.name): \($0.type)" })")
            }
            let kinds = output.columns[0].withValues(as: Int8.self) { Array($0) }
            let times = output.columns[1], keys = output.columns[2]
            var records: [Int32] = []
            records.reserveCapacity(output.length)
            for (row, kind) in kinds.enumerated() {
                if kind == 0 { records.append(Int32(row)); continue }
                guard case .int(let time) = times.value(at: row), let key = keys.bytes(at: row) else {
                    throw DataStreamError("'\(name)': a timer request without its time or key (row \(row))")
                }
                try timers.apply(request: Int8(kind), time: time, key: key)
            }
            guard !records.isEmpty else { continue }
            let kept = records.count == output.length ? output : output.take(records)
            var fields = [kept.schema.fields[3]], columns = [kept.columns[3]]
            if handingOn != nil {
                fields.insert(ArrowField(StreamEventTimeColumns.timestamp, .int64), at: 0)
                columns.insert(kept.columns[1], at: 0)
            }
            if keyedOutput {
                fields.insert(ArrowField(DataStreamOperator.keyColumn, .binary, nullable: false), at: 0)
                columns.insert(kept.columns[2], at: 0)
            }
            let out = try RecordBatch(schema: ArrowSchema(fields), columns: columns, length: kept.length)
            if let handingOn {
                try await emit(try StreamEventTimeColumns.stamped(out, mark: sent, writer: handingOn))
            } else {
                try await emit(out)
            }
        }
    }
}
