import Foundation
import PyFnRunner
import PyFnArrow

/// Splits a subtask's output batch over the subtasks of the node reading it, as the edge's partitioning says.
struct StreamPartitioner {
    let partitioning: StreamEdge.Partitioning
    /// The reader's parallelism.
    let targets: Int
    /// The writing subtask's index (forward sends to the same index).
    let source: Int
    private var nextTarget: Int

    init(partitioning: StreamEdge.Partitioning, targets: Int, source: Int) {
        self.partitioning = partitioning
        self.targets = targets
        self.source = source
        self.nextTarget = source % max(1, targets)
    }

    /// (target subtask, rows for it) for one batch; batches without rows for a target are left out.
    mutating func split(_ batch: RecordBatch) throws -> [(Int, RecordBatch)] {
        guard batch.length > 0 else { return [] }
        if targets == 1 { return [(0, batch)] }
        switch partitioning {
        case .forward: return [(source % targets, batch)]
        case .broadcast: return (0..<targets).map { ($0, batch) }
        case .rebalance:
            // Round-robin by record, continuing where the previous batch stopped.
            let start = nextTarget
            nextTarget = (start + batch.length) % targets
            return spread(batch) { (start + $0) % targets }
        case .shuffle:
            var generator = SystemRandomNumberGenerator()
            let picks = (0..<batch.length).map { _ in Int.random(in: 0..<targets, using: &generator) }
            return spread(batch) { picks[$0] }
        case .hash:
            guard let keys = batch.column(named: DataStreamOperator.keyColumn) else {
                throw PyFnError.protocolViolation("a keyed edge needs a '\(DataStreamOperator.keyColumn)' column")
            }
            let hashes = keys.withVariableBinaryView { view in (0..<view.count).map { Self.keyHash(view[$0]) } }
            return spread(batch) { Int(hashes[$0] % UInt64(targets)) }
        case .custom:
            let picks = try Self.namedSubtasks(batch, targets: targets)
            return spread(batch) { picks[$0] }
        }
    }

    /// The subtasks a `partition_custom` step named for the batch's records (`__key`: 4-byte little-endian Int32
    /// each, which the step checked against the reader's parallelism; checked again here).
    static func namedSubtasks(_ batch: RecordBatch, targets: Int) throws -> [Int] {
        guard let keys = batch.column(named: DataStreamOperator.keyColumn) else {
            throw PyFnError.protocolViolation("a partition_custom edge needs a '\(DataStreamOperator.keyColumn)' column")
        }
        let picks = keys.withVariableBinaryView { view in
            (0..<view.count).map { row -> Int in
                let bytes = view[row]
                guard bytes.count == 4 else { return -1 }
                return Int(Int32(littleEndian: bytes.loadUnaligned(as: Int32.self)))
            }
        }
        if let bad = picks.firstIndex(where: { !(0..<targets).contains($0) }) {
            throw PyFnError.protocolViolation("partition_custom named subtask \(picks[bad]) of \(targets) for record \(bad) of a batch")
        }
        return picks
    }

    /// FNV-1a over a key's pickled bytes: the same key always goes to the same subtask.
    static func keyHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    private func spread(_ batch: RecordBatch, target: (Int) -> Int) -> [(Int, RecordBatch)] {
        var rows = [[Int32]](repeating: [], count: targets)
        for row in 0..<batch.length { rows[target(row)].append(Int32(row)) }
        return rows.enumerated().compactMap { index, picked in
            picked.isEmpty ? nil : (index, picked.count == batch.length ? batch : batch.take(picked))
        }
    }
}
