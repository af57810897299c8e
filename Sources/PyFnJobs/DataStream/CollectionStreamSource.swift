import Foundation
import PyFnArrow

/// `from_collection` / `from_elements`: the records the program wrote as an Arrow IPC stream file (a `value`
/// column), split over the subtasks in contiguous ranges.
struct CollectionStreamSource: StreamSource {
    let schema: ArrowSchema
    let batches: [RecordBatch]

    init(path: String, node: StreamNode) throws {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw DataStreamError("collection source '\(node.name)' cannot read \(path): \(error.localizedDescription)", node)
        }
        let (schema, batches) = try ArrowStreamReader.decode(bytes)
        guard schema.fields.count == 1 else {
            throw DataStreamError("collection source '\(node.name)': \(path) must hold one column of records, not \(schema.fields.count)", node)
        }
        self.schema = schema
        self.batches = batches
    }

    func produce(subtask: Int, parallelism: Int, emit: (RecordBatch) async throws -> Void) async throws {
        let all = batches.count == 1 ? batches[0] : try RecordBatch.concatenate(batches)
        let share = shareRange(all.length, subtask: subtask, parallelism: parallelism)
        var start = share.lowerBound
        while start < share.upperBound {
            let end = min(share.upperBound, start + streamSourceBatchRows)
            try await emit(all.slice(start..<end))
            start = end
        }
    }
}
