import PyFnArrow

/// Where the lanes of an INSERT send their rows when it groups them, and where the groups leave for the sink.
protocol GroupingStage: Sendable {
    /// Takes rows whose first columns are the key.
    func add(_ batch: RecordBatch) async throws
    /// Writes what changed since the last write (streaming; called when the input is quiet).
    func emitChanges() async throws
    /// Writes what is left once every lane has ended.
    func finish() async throws
    /// Stops whatever runs for the grouping (after an error).
    func close() async
}
