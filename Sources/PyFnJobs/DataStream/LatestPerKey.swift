import Foundation
import PyFnArrow
import PyFnRunner

/// Batch mode's keyed reduce: keeps the latest record of each key (by its pickled `__key`) and hands them on,
/// without the key column, once the input ends — one final value per key, in order of each key's first record.
struct LatestPerKey {
    private var batches: [RecordBatch] = []
    private var latest: [Data: (batch: Int, row: Int32)] = [:]
    private var order: [Data] = []

    /// Takes a batch of the reduce's output (`__key`, `value`).
    mutating func add(_ batch: RecordBatch) throws {
        guard batch.length > 0 else { return }
        guard let keys = batch.column(named: DataStreamOperator.keyColumn) else {
            throw PyFnError.protocolViolation("a batch-mode reduce must return a '\(DataStreamOperator.keyColumn)' column")
        }
        let index = batches.count
        batches.append(batch)
        keys.withVariableBinaryView { view in
            for row in 0..<view.count {
                let key = Data(view[row])
                if latest.updateValue((index, Int32(row)), forKey: key) == nil { order.append(key) }
            }
        }
        // Keep memory to the latest values: once many batches are held, copy out the live rows.
        if batches.count >= 64 { try compact() }
    }

    /// The latest record of every key, as batches of the `value` column alone.
    mutating func finish(valueSchema: ArrowSchema) throws -> [RecordBatch] {
        try compact()
        guard let all = batches.first else { return [] }
        let values = all.column(named: DataStreamOperator.valueColumn)!
        return [try RecordBatch(schema: valueSchema, columns: [values])]
    }

    private mutating func compact() throws {
        guard !order.isEmpty else { return }
        var perBatch = [[Int32]](repeating: [], count: batches.count)
        var positions: [(Int, Int)] = []
        for key in order {
            let (batch, row) = latest[key]!
            positions.append((batch, perBatch[batch].count))
            perBatch[batch].append(row)
        }
        let taken = try zip(batches, perBatch).map { batch, rows in rows.isEmpty ? nil : batch.take(rows) }
        var starts: [Int] = []
        var total = 0
        for part in taken {
            starts.append(total)
            total += part?.length ?? 0
        }
        let merged = try RecordBatch.concatenate(taken.compactMap { $0 })
        // Rows in key order.
        let ordered = merged.take(positions.map { Int32(starts[$0.0] + $0.1) })
        batches = [ordered]
        latest = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, (batch: 0, row: Int32($0))) })
    }
}
