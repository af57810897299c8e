// Event time between DataStream nodes: the timestamps a chain assigned (`__ts`), and each writing subtask's
// watermark stamped on its batches (`__watermark`, `__writer`), so a reading subtask with timers knows how far
// event time has come (the smallest watermark over its writers, as Flink combines input channels).
import Foundation
import PyFnArrow

/// The columns that carry event time from a node that assigns timestamps to the node that keeps timers.
enum StreamEventTimeColumns {
    /// A record's event-time timestamp (int64 ms, null: none), written by the worker's timestamps step.
    static let timestamp = "__ts"
    /// The writing subtask's watermark after this batch (int64 ms).
    static let watermark = "__watermark"
    /// Which subtask wrote the batch (int64: node id × 65536 + subtask), to keep one watermark per writer.
    static let writer = "__writer"

    /// A batch without records that only says how far a writer's event time has come (its watermark and writer in
    /// the schema's metadata), for the subtasks with timers a stamped batch sent no rows to; nil when `batch`
    /// carries no watermark.
    static func watermarkOnly(_ batch: RecordBatch) -> RecordBatch? {
        if isWatermarkOnly(batch) { return batch }
        guard batch.length > 0, let marks = batch.column(named: watermark), let writers = batch.column(named: writer),
              case .int(let mark) = marks.value(at: batch.length - 1),
              case .int(let from) = writers.value(at: batch.length - 1) else { return nil }
        return try? RecordBatch(schema: ArrowSchema([], metadata: [watermark: String(mark), writer: String(from)]),
                                columns: [], length: 0)
    }

    /// The message of writer `from`'s watermark `mark`, sent without records.
    static func watermarkOnly(mark: Int64, from: Int64) -> RecordBatch {
        try! RecordBatch(schema: ArrowSchema([], metadata: [watermark: String(mark), writer: String(from)]), columns: [], length: 0)
    }

    /// Whether `batch` is a watermark without records (``watermarkOnly(_:)``).
    static func isWatermarkOnly(_ batch: RecordBatch) -> Bool {
        batch.length == 0 && batch.columns.isEmpty && batch.schema.metadata[watermark] != nil
    }

    /// `batch` with `__watermark` `mark` and `__writer` `writer` columns added.
    static func stamped(_ batch: RecordBatch, mark: Int64, writer from: Int64) throws -> RecordBatch {
        let count = batch.length
        let fields = batch.schema.fields + [ArrowField(watermark, .int64, nullable: false), ArrowField(writer, .int64, nullable: false)]
        return try RecordBatch(schema: ArrowSchema(fields),
                               columns: batch.columns + [.int64(Array(repeating: mark, count: count)),
                                                         .int64(Array(repeating: from, count: count))],
                               length: count)
    }

    /// The batch without the event-time columns (for sinks and nodes without timers); `keepingTimestamps` keeps
    /// the records' `__ts` (a node whose chain hands event time on).
    static func stripped(_ batch: RecordBatch, keepingTimestamps: Bool = false) throws -> RecordBatch {
        let dropped = keepingTimestamps ? [watermark, writer] : [timestamp, watermark, writer]
        let keep = batch.schema.fields.indices.filter { !dropped.contains(batch.schema.fields[$0].name) }
        guard keep.count < batch.schema.fields.count else { return batch }
        return try RecordBatch(schema: ArrowSchema(keep.map { batch.schema.fields[$0] }), columns: keep.map { batch.columns[$0] },
                               length: batch.length)
    }
}

/// One writing subtask's watermark: the largest timestamp it has emitted, minus the out-of-orderness, minus 1 ms
/// (Flink's BoundedOutOfOrdernessWatermarks; monotonous timestamps: out-of-orderness 0).
struct SubtaskWatermark {
    /// The out-of-orderness in ms; nil: the watermark stays at its minimum.
    let outOfOrderness: Int64?
    /// The writer id stamped on the batches.
    let writer: Int64
    private(set) var maxTimestamp: Int64?

    init(outOfOrderness: Int64?, node: Int, subtask: Int) {
        self.outOfOrderness = outOfOrderness
        self.writer = ForwardedWatermark.writerID(node: node, subtask: subtask)
    }

    /// The watermark so far (`Int64.min` before any timestamp).
    var current: Int64 {
        guard let outOfOrderness, let maxTimestamp else { return .min }
        let (value, overflow) = maxTimestamp.subtractingReportingOverflow(outOfOrderness &+ 1)
        return overflow ? .min : value
    }

    /// The batch (with its `__ts` column) with `__watermark` (after its records) and `__writer` columns added.
    mutating func stamp(_ batch: RecordBatch) throws -> RecordBatch {
        if let stamps = batch.column(named: StreamEventTimeColumns.timestamp) {
            for row in 0..<stamps.length {
                if case .int(let stamp) = stamps.value(at: row) { maxTimestamp = max(maxTimestamp ?? .min, stamp) }
            }
        }
        return try StreamEventTimeColumns.stamped(batch, mark: current, writer: writer)
    }
}

/// A reading subtask's watermark: the smallest over the subtasks writing to it (a writer not heard from yet
/// holds it at the minimum); the end of the input moves it to the end of time.
struct InputWatermark {
    /// How many subtasks write to the reader.
    let writers: Int
    private var marks: [Int64: Int64] = [:]

    init(writers: Int) { self.writers = writers }

    /// The watermark now.
    var current: Int64 { marks.count < writers ? .min : marks.values.min() ?? .min }

    /// Takes in the watermarks a batch carries (none: a batch from a node without timestamps), or a
    /// ``StreamEventTimeColumns/watermarkOnly(_:)`` message.
    mutating func observe(_ batch: RecordBatch) {
        if batch.length == 0, let mark = batch.schema.metadata[StreamEventTimeColumns.watermark].flatMap({ Int64($0) }),
           let writer = batch.schema.metadata[StreamEventTimeColumns.writer].flatMap({ Int64($0) }) {
            marks[writer] = max(marks[writer] ?? .min, mark)
            return
        }
        guard let marks = batch.column(named: StreamEventTimeColumns.watermark),
              let writers = batch.column(named: StreamEventTimeColumns.writer), batch.length > 0 else { return }
        // Every row of a writer's batch carries the same stamp; the last row is the latest.
        let last = batch.length - 1
        if case .int(let writer) = writers.value(at: last), case .int(let mark) = marks.value(at: last) {
            self.marks[writer] = max(self.marks[writer] ?? .min, mark)
        }
    }
}
