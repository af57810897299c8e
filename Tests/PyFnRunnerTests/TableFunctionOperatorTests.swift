import Foundation
import PyFnArrow
import PyFnRunner
import Testing

/// Table functions end to end through real workers: rows fan out, keep their input order and join with the
/// forwarded columns.
@Suite(.serialized) struct TableFunctionOperatorTests {
    static func function(_ name: String, _ columns: [SQLField]) -> PythonFunction {
        .reference("table_udfs.\(name)", kind: .table, returns: .row(columns))
    }

    @Test(arguments: WorkerKind.allCases) func aSplitterGivesZeroOneOrManyRowsPerInputInOrder(workers: WorkerKind) async throws {
        let input = try Harness.strings("line", ["a b c", "", "single", nil, "x y"])
        let split = Self.function("split", [SQLField("word", .string)])
        let output = try await Harness.run(over: [input], workers: workers) { environment in
            try TableFunctionOperator(call: FunctionCall(split, [.column(0)]), inputSchema: input.schema, environment: environment)
        }
        #expect(output.schema.fields.map(\.name) == ["line", "word"])
        #expect(output.column(0) == ["a b c", "a b c", "a b c", "single", "x y", "x y"].map { .string($0) })
        #expect(output.column(1) == ["a", "b", "c", "single", "x", "y"].map { .string($0) })
    }

    @Test(arguments: WorkerKind.allCases) func severalOutputColumnsWithNullsAndRenamedColumns(workers: WorkerKind) async throws {
        let input = try Harness.strings("line", ["hello x", "go"])
        let explode = Self.function("explode", [SQLField("f0", .string), SQLField("f1", .int), SQLField("f2", .bigint)])
        let output = try await Harness.run(over: [input], workers: workers) { environment in
            try TableFunctionOperator(call: FunctionCall(explode, [.column(0)]), inputSchema: input.schema, forwardedColumns: [],
                                      resultNames: ["word", "length", "position"], environment: environment)
        }
        #expect(output.schema.fields.map(\.name) == ["word", "length", "position"])
        #expect(output.column(0) == [.string("hello"), .string("x"), .string("go")])
        #expect(output.column(1) == [.int(5), .null, .int(2)])
        #expect(output.column(2) == [.int(0), .int(1), .int(0)])
    }

    @Test(arguments: WorkerKind.allCases) func leftOuterKeepsRowsWithoutOutputOnceWithNulls(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("n", [2, 0, 1, 0])])
        let repeatRows = Self.function("repeat", [SQLField("i", .bigint), SQLField("s", .string)])
        let output = try await Harness.run(over: [input], workers: workers) { environment in
            try TableFunctionOperator(call: FunctionCall(repeatRows, [.column(0)]), inputSchema: input.schema,
                                      leftOuter: true, environment: environment)
        }
        #expect(output.column(0) == [.int(2), .int(2), .int(0), .int(1), .int(0)])
        #expect(output.column(1) == [.int(0), .int(1), .null, .int(0), .null])
        #expect(output.column(2) == [.string("r0"), .string("r1"), .null, .string("r0"), .null])
    }

    @Test func aMillionRowsFromOneInputStreamWithBoundedMemory() async throws {
        let rows = 1_000_000
        let input = try Harness.bigints([("n", [Int64(rows)])])
        let flood = Self.function("flood", [SQLField("s", .string)])
        var workerPeakMB = 0.0
        let runnerBeforeMB = Harness.peakMemoryMB(of: "self")
        let output = try await Harness.run(over: [input], inspect: { server in
            workerPeakMB = Harness.workerPIDs(of: server).map { Harness.peakMemoryMB(of: String($0.pid)) }.max() ?? 0
        }) { environment in
            try TableFunctionOperator(call: FunctionCall(flood, [.column(0)]), inputSchema: input.schema, forwardedColumns: [],
                                      environment: environment)
        }
        let runnerGrowthMB = Harness.peakMemoryMB(of: "self") - runnerBeforeMB
        #expect(output.length == rows)
        #expect(output.columns[0].value(at: 0) == .string("row-000000000"))
        #expect(output.columns[0].value(at: rows - 1) == .string("row-000999999"))
        // The million rows are about 17 MB as Arrow and ~100 MB as Python tuples: a worker that held them all at
        // once would pass 200 MB; streamed in 10,000-row batches it stays near its start-up size.
        #expect(workerPeakMB > 0 && workerPeakMB < 200, "worker peak \(workerPeakMB) MB")
        #expect(runnerGrowthMB < 300, "runner grew \(runnerGrowthMB) MB")
    }
}

extension Array where Element == ArrowValue {
    /// String values for comparisons.
    static func strings(_ values: [String]) -> [ArrowValue] { values.map { .string($0) } }
}
