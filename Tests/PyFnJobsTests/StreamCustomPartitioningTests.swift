// The runner's side of `partition_custom`: a `custom` edge sends each record to the subtask its `__key` names
// (a 4-byte little-endian Int32 the worker's partition step wrote), and refuses an index outside the reader.
import Foundation
import Testing
import PyFnArrow
@testable import PyFnJobs

@Suite("stream custom partitioning")
struct StreamCustomPartitioningTests {
    func batch(subtasks: [Int32]) throws -> RecordBatch {
        let keys: [[UInt8]?] = subtasks.map { index in withUnsafeBytes(of: index.littleEndian) { Array($0) } }
        return try RecordBatch(schema: ArrowSchema([ArrowField("__key", .binary, nullable: false), ArrowField("value", .int64)]),
                               columns: [.binary(keys), .int64(subtasks.indices.map { Int64($0) })], length: subtasks.count)
    }

    @Test func eachRecordGoesToTheSubtaskItsKeyNames() throws {
        var partitioner = StreamPartitioner(partitioning: .custom, targets: 3, source: 0)
        let parts = try partitioner.split(try batch(subtasks: [2, 0, 2, 1, 0, 2]))
        #expect(parts.map(\.0) == [0, 1, 2])
        #expect(parts.map { $0.1.column(named: "value")!.values } == [[.int(1), .int(4)], [.int(3)], [.int(0), .int(2), .int(5)]])
    }

    @Test func anIndexOutsideTheReaderIsRefused() throws {
        var partitioner = StreamPartitioner(partitioning: .custom, targets: 2, source: 0)
        #expect(throws: (any Error).self) { _ = try partitioner.split(try batch(subtasks: [0, 2])) }
        #expect(throws: (any Error).self) { _ = try partitioner.split(try batch(subtasks: [-1])) }
    }
}
