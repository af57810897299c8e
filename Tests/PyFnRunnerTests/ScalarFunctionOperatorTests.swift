import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// End to end through real `python -m pyfn.worker` processes over real gRPC, and through the CPython embedded in
/// the test process: rows in, rows out.
@Suite(.serialized) struct ScalarFunctionOperatorTests {
    @Test(arguments: WorkerKind.allCases) func nestedCallsConstantsAndSeveralFunctionsInOnePass(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, 2, 3, 40]), ("b", [10, 20, 30, 2])])
        let add = Harness.udf("add", returns: .bigint)
        let timesTwo = Harness.udf("times_two", returns: .bigint)
        let describe = Harness.udf("describe", returns: .string)
        let output = try await Harness.run(
            [FunctionCall(add, [.call(FunctionCall(timesTwo, [.column(0)])), .constant(.bigint(1))]),
             FunctionCall(describe, [.constant(.string("sum")), .call(FunctionCall(add, [.column(0), .column(1)]))])],
            over: [input], workers: workers)
        #expect(output.schema.fields.map(\.name) == ["a", "b", "f0", "f1"])
        #expect(output.column(0) == [.int(1), .int(2), .int(3), .int(40)])
        #expect(output.column(2) == [.int(3), .int(5), .int(7), .int(81)])
        #expect(output.column(3) == [.string("sum:11"), .string("sum:22"), .string("sum:33"), .string("sum:42")])
    }

    @Test(arguments: WorkerKind.allCases) func plainFunctionsUseTheDeclaredTypeAndClassFunctionsOpenOnce(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [1, 5, 9])])
        let scale = PythonFunction.reference("scalar_udfs.plain_scale", returns: .double)
        let threshold = Harness.udf("threshold", returns: .boolean)
        let output = try await Harness.run(
            [FunctionCall(scale, [.column(0), .constant(.double(0.5))]), FunctionCall(threshold, [.column(0)])],
            over: [input], forwarded: [],
            python: Harness.pythonOptions { $0.jobParameters = ["limit": "4"] }, workers: workers)
        #expect(output.column(0) == [.float(0.5), .float(2.5), .float(4.5)])
        #expect(output.column(1) == [.bool(false), .bool(true), .bool(true)])
    }

    @Test(arguments: WorkerKind.allCases) func everyTypeGoesInAndComesBackWithNulls(workers: WorkerKind) async throws {
        let input = try TypeSamples.batch()
        let calls = input.schema.fields.indices.map { index in
            FunctionCall(PythonFunction.reference("scalar_udfs.identity", returns: try! SQLType(arrow: input.schema.fields[index])),
                         [.column(index)])
        }
        let output = try await Harness.run(calls, over: [input], forwarded: [], workers: workers)
        for (index, field) in input.schema.fields.enumerated() {
            #expect(output.columns[index].type == field.type, "\(field.name)")
            #expect(output.column(index) == input.column(index), "\(field.name)")
        }
    }

    @Test func aCloudpickledFunctionRunsWithoutItsModule() async throws {
        let pickled = try TestPython.run("Tests/PyFnRunnerTests/python/pickle_function.py")
        try #require(pickled.status == 0, "\(pickled.output)")
        let payload = try #require(Data(base64Encoded: pickled.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let shout = PythonFunction(name: "shout", body: .cloudpickle(payload), resultType: .string)
        let output = try await Harness.run([FunctionCall(shout, [.column(0), .constant(.bigint(2))])],
                                           over: [try Harness.strings("word", ["hi", "ok"])], forwarded: [],
                                           python: Harness.pythonOptions { $0.files = [] })
        #expect(output.column(0) == [.string("HI!HI!"), .string("OK!OK!")])
    }

    @Test(arguments: WorkerKind.allCases) func emptyInputGivesEmptyOutput(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", []), ("b", [])])
        let output = try await Harness.run([FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)])], over: [input],
                                           workers: workers)
        #expect(output.length == 0)
        #expect(output.schema.fields.map(\.name) == ["a", "b", "f0"])
    }

    @Test(arguments: WorkerKind.allCases) func aMillionRowsMatchAnIndependentReference(workers: WorkerKind) async throws {
        let n = 1_000_000
        let a = (0..<n).map { Int64($0) * 7 - 3_000_000 }
        let b = (0..<n).map { Int64(($0 * 7919) % 1_000_003) }
        var batches: [RecordBatch] = []
        for start in stride(from: 0, to: n, by: 65_536) {
            let end = min(start + 65_536, n)
            batches.append(try Harness.bigints([("a", Array(a[start..<end])), ("b", Array(b[start..<end]))]))
        }
        var bundle = BundleOptions()
        bundle.bundleSize = 100_000
        let output = try await Harness.run([FunctionCall(Harness.udf("checksum", returns: .bigint), [.column(0), .column(1)])],
                                           over: batches, bundle: bundle, workers: workers)
        #expect(output.length == n)
        let mismatches = output.columns[2].withValues(as: Int64.self) { results in
            (0..<n).filter { results[$0] != a[$0] * 3 + b[$0] }.count
        }
        #expect(mismatches == 0)
        let forwardedInOrder = output.columns[0].withValues(as: Int64.self) { Array($0) == a }
        #expect(forwardedInOrder)
    }
}

extension RecordBatch {
    /// The values of a column, for comparisons.
    func column(_ index: Int) -> [ArrowValue] {
        (0..<length).map { columns[index].value(at: $0) }
    }
}
