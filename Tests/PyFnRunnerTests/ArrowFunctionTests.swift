import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// Arrow-native scalar functions (`@udf(func_type="arrow")`) end to end through real workers
/// (Tests/PyFnRunnerTests/python/arrow_udfs.py): pyarrow Arrays in and out, every type with nulls, errors that
/// name the function.
@Suite(.serialized) struct ArrowFunctionTests {
    static func arrow(_ name: String, returns type: SQLType) -> PythonFunction {
        .reference("arrow_udfs.\(name)", kind: .arrowScalar, returns: type)
    }

    static func message(of body: () async throws -> Void) async -> String {
        do { try await body() } catch { return "\(error)" }
        return "no error"
    }

    @Test(arguments: WorkerKind.allCases) func addsColumnsWithPyArrowCompute(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, nil, 3]), ("b", [10, 20, 30])])
        let output = try await Harness.run([FunctionCall(Self.arrow("add", returns: .bigint), [.column(0), .column(1)]),
                                            FunctionCall(Self.arrow("add", returns: .bigint), [.column(1), .constant(.bigint(5))])],
                                           over: [input], workers: workers)
        #expect(output.column(2) == [.int(11), .null, .int(33)])
        #expect(output.column(3) == [.int(15), .int(25), .int(35)])
    }

    @Test(arguments: WorkerKind.allCases) func everyTypeGoesInAndComesBackWithNulls(workers: WorkerKind) async throws {
        let input = try TypeSamples.batch()
        let calls = input.schema.fields.indices.map { index in
            FunctionCall(Self.arrow("identity", returns: try! SQLType(arrow: input.schema.fields[index])), [.column(index)])
        }
        let output = try await Harness.run(calls, over: [input], forwarded: [], workers: workers)
        for (index, field) in input.schema.fields.enumerated() {
            #expect(output.columns[index].type == field.type, "\(field.name)")
            #expect(output.column(index) == input.column(index), "\(field.name)")
        }
    }

    @Test(arguments: WorkerKind.allCases) func aListResultIsTakenAsPyArrowWouldTakeIt(workers: WorkerKind) async throws {
        let output = try await Harness.run([FunctionCall(Self.arrow("as_list", returns: .string), [.column(0)])],
                                           over: [try Harness.bigints([("a", [1, nil])])], forwarded: [], workers: workers)
        #expect(output.column(0) == [.string("v1"), .string("vNone")])
    }

    @Test(arguments: WorkerKind.allCases) func aWrongLengthOrTypeNamesTheFunction(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, 2, 3])])
        let short = await Self.message {
            _ = try await Harness.run([FunctionCall(Self.arrow("too_short", returns: .bigint), [.column(0)])], over: [input], workers: workers)
        }
        #expect(short.contains("function 'too_short' returned 1 values for the batch of rows 0 to 2 of the bundle"), "\(short)")
        let wrongType = await Self.message {
            _ = try await Harness.run([FunctionCall(Self.arrow("words", returns: .bigint), [.column(0)])], over: [input], workers: workers)
        }
        #expect(wrongType.contains("function 'words' returned an Array of string, which is not valid BIGINT"), "\(wrongType)")
    }
}
