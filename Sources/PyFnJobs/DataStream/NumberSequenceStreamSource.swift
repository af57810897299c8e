import PyFnArrow

/// `NumberSequenceSource(from, to)`: the longs from `from` to `to`, both included, split over the subtasks in
/// contiguous ranges.
struct NumberSequenceStreamSource: StreamSource {
    let from: Int64
    let to: Int64
    let schema = ArrowSchema([ArrowField("value", .int64, nullable: false)])

    func produce(subtask: Int, parallelism: Int, emit: (RecordBatch) async throws -> Void) async throws {
        guard to >= from else { return }
        let count = Int(to - from) + 1
        let share = shareRange(count, subtask: subtask, parallelism: parallelism)
        var start = share.lowerBound
        while start < share.upperBound {
            let end = min(share.upperBound, start + streamSourceBatchRows)
            let first = from + Int64(start)
            let values = (0..<Int64(end - start)).map { first + $0 }
            try await emit(try RecordBatch(schema: schema, columns: [.int64(values)]))
            start = end
        }
    }
}
