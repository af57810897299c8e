// The watermark of a DataStream node that reads event time but assigns none (a filter, flat_map, process or union
// after the assigner): its input's, handed on once the records that came before it have left the node.
import PyFnArrow

/// A reading subtask's watermark handed on to the next node: the smallest over the subtasks writing to it (as
/// Flink's operators forward the combined watermark of their inputs). Output batches are stamped with the
/// watermark handed on so far; when the input's watermark passes it, the subtask first awaits the records in
/// flight, then sends the new one (``handOn()``), so no record reaches the next node behind a watermark it is
/// older than.
struct ForwardedWatermark {
    private var input: InputWatermark
    /// The writer id stamped on the output (node id × 65536 + subtask).
    let writer: Int64
    /// The watermark handed on so far.
    private(set) var sent = Int64.min

    init(writers: Int, node: Int, subtask: Int) {
        input = InputWatermark(writers: writers)
        writer = Self.writerID(node: node, subtask: subtask)
    }

    /// The writer id of a node's subtask.
    static func writerID(node: Int, subtask: Int) -> Int64 { Int64(node) << 16 | Int64(subtask) }

    /// Takes in the watermarks an input batch carries.
    mutating func observe(_ batch: RecordBatch) { input.observe(batch) }

    /// Whether the input's watermark has passed the one handed on.
    var isPending: Bool { input.current > sent }

    /// Hands the input's watermark on: the message that carries it.
    mutating func handOn() -> RecordBatch {
        sent = input.current
        return StreamEventTimeColumns.watermarkOnly(mark: sent, from: writer)
    }

    /// An output batch (with its `__ts`) stamped with the watermark handed on so far.
    func stamp(_ batch: RecordBatch) throws -> RecordBatch {
        try StreamEventTimeColumns.stamped(batch, mark: sent, writer: writer)
    }
}
