import PyFnArrow
@testable import PyFnRunner
import PyFnTestSupport
import Testing

/// A scalar operator sends its worker only the input columns its calls read (``WorkerInputColumns``), and still
/// hands back every forwarded column with the right results.
@Suite(.serialized) struct WorkerInputColumnsTests {
    private static let schema = ArrowSchema(["a", "b", "c", "d"].map { ArrowField($0, .int64, nullable: true) })

    @Test func onlyTheColumnsReadAreSentRenumberedInInputOrder() {
        let add = Harness.udf("add", returns: .bigint)
        let timesTwo = Harness.udf("times_two", returns: .bigint)
        let columns = WorkerInputColumns(
            calls: [FunctionCall(add, [.column(3), .call(FunctionCall(timesTwo, [.column(1)]))]),
                    FunctionCall(timesTwo, [.column(3)])],
            inputSchema: Self.schema)
        #expect(columns.sent == [1, 3])
        #expect(columns.schema.fields.map(\.name) == ["b", "d"])
        #expect(columns.calls == [FunctionCall(add, [.column(1), .call(FunctionCall(timesTwo, [.column(0)]))]),
                                  FunctionCall(timesTwo, [.column(1)])])
        #expect(columns.inputSchema.fields.count == 4)
    }

    @Test func callsReadingEveryColumnOrNoneSendTheWholeBatch() {
        let add = Harness.udf("add", returns: .bigint)
        let all = WorkerInputColumns(calls: [FunctionCall(add, [.column(0), .column(1)]), FunctionCall(add, [.column(2), .column(3)])],
                                     inputSchema: Self.schema)
        #expect(all.sent == nil)
        let constants = WorkerInputColumns(calls: [FunctionCall(add, [.constant(.bigint(1)), .constant(.bigint(2))])], inputSchema: Self.schema)
        #expect(constants.sent == nil)
        #expect(constants.schema.fields.count == 4)
    }

    @Test(arguments: WorkerKind.allCases) func resultsOfCallsOnSomeColumnsJoinTheWholeRow(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, 2, 3]), ("b", [10, 20, 30]), ("c", [100, 200, 300]), ("d", [7, 8, 9])])
        let add = Harness.udf("add", returns: .bigint)
        let timesTwo = Harness.udf("times_two", returns: .bigint)
        let output = try await Harness.run(
            [FunctionCall(add, [.column(3), .call(FunctionCall(timesTwo, [.column(1)]))]), FunctionCall(timesTwo, [.column(3)])],
            over: [input], workers: workers)
        #expect(output.schema.fields.map(\.name) == ["a", "b", "c", "d", "f0", "f1"])
        #expect(output.column(2) == [.int(100), .int(200), .int(300)])
        #expect(output.column(4) == [.int(27), .int(48), .int(69)])
        #expect(output.column(5) == [.int(14), .int(16), .int(18)])
    }

    @Test(arguments: WorkerKind.allCases) func aFailingCallOnALaterColumnNamesItsRowAndArgument(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, 2, 3]), ("x", [4, 0, 2])])
        var message = ""
        do {
            _ = try await Harness.run([FunctionCall(Harness.udf("inverse", returns: .double), [.column(1)])], over: [input], workers: workers)
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("inverse"), "\(message)")
        #expect(message.contains("row 1"), "\(message)")
        #expect(message.contains("ZeroDivisionError"), "\(message)")
    }
}
