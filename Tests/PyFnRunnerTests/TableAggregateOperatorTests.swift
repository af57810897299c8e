import Foundation
import PyFnArrow
import PyFnRunner
import Testing

/// Table aggregate functions (`udtaf`) over whole groups through real workers, in process and embedded mode:
/// a top-2-per-group function checked against the same result computed here.
@Suite(.serialized) struct TableAggregateOperatorTests {
    static let columns = [SQLField("v", .bigint), SQLField("rank", .int)]

    static func function(_ name: String) -> PythonFunction {
        .reference("table_aggregate_udfs.\(name)", kind: .tableAggregate, returns: .row(columns))
    }

    /// Groups 0..<40 of 1 to 9 values each (some NULL), as `__group`, `k`, `v`.
    static func groups() throws -> (RecordBatch, [(Int64, Int64?)]) {
        var random = SystemRandomNumberGenerator()
        var groupIDs: [Int64?] = [], keys: [Int64?] = [], values: [Int64?] = []
        for group in Int64(0)..<40 {
            for _ in 0..<Int.random(in: 1...9, using: &random) {
                groupIDs.append(group)
                keys.append(group * 10)
                values.append(Int.random(in: 0..<8, using: &random) == 0 ? nil : Int64.random(in: -50...50, using: &random))
            }
        }
        let batch = try Harness.bigints([("__group", groupIDs), ("k", keys), ("v", values)])
        return (batch, zip(groupIDs, values).map { ($0!, $1) })
    }

    @Test(arguments: WorkerKind.allCases) func topTwoPerGroupMatchesAReference(workers: WorkerKind) async throws {
        let (input, rows) = try Self.groups()
        let output = try await Harness.run(over: [input], workers: workers) { environment in
            try TableAggregateOperator(call: FunctionCall(Self.function("top2"), [.column(2)]), inputSchema: input.schema,
                                       describedBy: [1], environment: environment)
        }
        var expected: [[ArrowValue]] = []
        for group in Int64(0)..<40 {
            let top = rows.filter { $0.0 == group }.compactMap(\.1).sorted(by: >).prefix(2)
            for (rank, value) in top.enumerated() { expected.append([.int(group), .int(value), .int(Int64(rank + 1))]) }
        }
        #expect(output.schema.fields.map(\.name) == ["__group", "v", "rank"])
        let got = (0..<output.length).map { row in output.columns.map { $0.value(at: row) } }
        #expect(got == expected)
    }

    @Test(arguments: WorkerKind.allCases) func anEmitValueThatRaisesNamesTheFunctionAndTheGroup(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("__group", [0, 0, 1, 1]), ("k", [7, 7, 8, 8]), ("v", [1, 2, 3, 13])])
        do {
            _ = try await Harness.run(over: [input], workers: workers) { environment in
                try TableAggregateOperator(call: FunctionCall(Self.function("emit_fails"), [.column(2)]), inputSchema: input.schema,
                                           describedBy: [1], environment: environment)
            }
            Issue.record("emit_value raised, but the operator succeeded")
        } catch {
            #expect("\(error)".contains("function 'emit_fails' raised ValueError: unlucky in emit_value() for group (8,)"), "\(error)")
        }
    }
}
