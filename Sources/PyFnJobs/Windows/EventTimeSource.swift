import PyFnArrow
import PyFnRunner

/// A source whose rows carry their arrival watermark: each batch gets the int64 column `$wm`, the watermark in
/// force when the row was read — the largest event time of the rows before it, minus the table's delay (Flink's
/// bounded out-of-orderness, generated per row). The table has one reader, so the watermark follows the file's
/// order whatever the parallelism, and whether a row is late does not depend on which lane runs it. Rows whose
/// event time is NULL get the watermark too; windows drop and count them.
struct EventTimeSource: TableSource {
    /// The name of the appended watermark column.
    static let watermarkColumn = "$wm"

    let inner: any TableSource
    let eventTime: EventTime
    /// Told of each batch, in order, before any lane can take it: its first row's watermark, and the watermark
    /// after its last row.
    let onBatch: @Sendable (Int64, Int64) async -> Void

    var schema: ArrowSchema { ArrowSchema(inner.schema.fields + [ArrowField(Self.watermarkColumn, .int64, nullable: false)]) }
    var isBounded: Bool { inner.isBounded }
    var skippedRows: Int { inner.skippedRows }

    func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let upstream = inner.batches(batchSize: batchSize)
        let column = eventTime.columnIndex
        let delay = eventTime.delayMicroseconds
        let schema = self.schema
        let onBatch = self.onBatch
        let local = Self.localTime(of: inner.schema.fields[column].type)
        return AsyncThrowingStream { continuation in
            let task = Task {
                var largest = Int64.min
                do {
                    for try await batch in upstream where batch.length > 0 {
                        var marks = [Int64](repeating: 0, count: batch.length)
                        for (row, time) in Self.eventTimes(batch.columns[column], local: local).enumerated() {
                            marks[row] = largest == .min ? .min : largest - delay
                            if let time { largest = max(largest, time) }
                        }
                        await onBatch(marks[0], largest == .min ? .min : largest - delay)
                        continuation.yield(try RecordBatch(schema: schema, columns: batch.columns + [.int64(marks)], length: batch.length))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// How event times of a column of `type` are windowed: a TIMESTAMP's as they are; a TIMESTAMP_LTZ's instants
    /// as the session zone's wall-clock time, so windows are aligned to the session zone's clock (a day window
    /// starts at local midnight) and window_start / window_end are TIMESTAMP(3) local times, as in Flink.
    static func localTime(of type: ArrowType, zone: SessionTimeZone = .current) -> @Sendable (Int64) -> Int64 {
        guard case .timestamp(_, .some) = type else { return { $0 } }
        return { zone.localMicros(ofInstant: $0) }
    }

    /// The event time of each row of a timestamp `column` in microseconds on the windows' clock (`local`), nil
    /// for NULL: read from the raw column in one pass (an `ArrowValue` per row measured 2.5 % of the runner's
    /// time in `pyfn-bench pandas_udaf_window`).
    static func eventTimes(_ column: ArrowArray, local: (Int64) -> Int64) -> [Int64?] {
        guard case .timestamp(let unit, _) = column.type else {
            return (0..<column.length).map { row in
                guard case .timestamp(let value, let unit) = column.value(at: row) else { return nil }
                return local(microseconds(value, unit))
            }
        }
        let hasNulls = column.nullCount > 0
        return column.withValues(as: Int64.self) { raw in
            (0..<column.length).map { row in hasNulls && column.isNull(row) ? nil : local(microseconds(raw[row], unit)) }
        }
    }

    /// A timestamp value in microseconds.
    static func microseconds(_ value: Int64, _ unit: ArrowTimeUnit) -> Int64 {
        switch unit {
        case .second: return value &* 1_000_000
        case .millisecond: return value &* 1000
        case .microsecond: return value
        case .nanosecond: return value / 1000
        }
    }
}
