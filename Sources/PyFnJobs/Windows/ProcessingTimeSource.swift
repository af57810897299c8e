import Foundation
import PyFnArrow
import PyFnRunner

/// A source whose rows get the `name AS PROCTIME()` column: the wall-clock time (UTC, µs) when their batch was
/// read, appended after the declared columns. Windows over it fire as time passes (see ``WindowGroupingStage``).
struct ProcessingTimeSource: TableSource {
    let inner: any TableSource

    var schema: ArrowSchema {
        ArrowSchema(inner.schema.fields + [ArrowField("proctime", .timestamp(.microsecond, timezone: nil), nullable: false)])
    }
    var isBounded: Bool { inner.isBounded }
    var skippedRows: Int { inner.skippedRows }

    func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let upstream = inner.batches(batchSize: batchSize)
        let schema = self.schema
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await batch in upstream {
                        let now = Self.now()
                        let times = ArrowArray.timestamp(Array(repeating: now, count: batch.length), unit: .microsecond)
                        continuation.yield(try RecordBatch(schema: schema, columns: batch.columns + [times], length: batch.length))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The wall clock in microseconds since the epoch.
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
