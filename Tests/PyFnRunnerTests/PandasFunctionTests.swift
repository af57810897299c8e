import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// Pandas UDFs end to end through real workers: whole columns in as pandas.Series, a column out.
@Suite(.serialized) struct PandasFunctionTests {
    static func pandas(_ name: String, returns type: SQLType) -> PythonFunction {
        .reference("pandas_udfs.\(name)", kind: .pandasScalar, returns: type)
    }

    @Test(arguments: WorkerKind.allCases) func addsColumnsAsSeries(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("a", [1, 2, 3]), ("b", [10, 20, 30])])
        let output = try await Harness.run([FunctionCall(Self.pandas("add", returns: .bigint), [.column(0), .column(1)])], over: [input],
                                           workers: workers)
        #expect(output.column(2) == [.int(11), .int(22), .int(33)])
    }

    @Test(arguments: WorkerKind.allCases) func everyFixedWidthTypeAndStringsRoundTrip(workers: WorkerKind) async throws {
        let names: Set = ["c_boolean", "c_tinyint", "c_smallint", "c_int", "c_bigint", "c_float", "c_double", "c_string"]
        let all = try TypeSamples.batch()
        let keep = all.schema.fields.indices.filter { names.contains(all.schema.fields[$0].name) }
        // pandas has no integer NULL without nullable dtypes: these columns carry no NULLs.
        let rows = 3
        let columns = try keep.map { index -> ArrowArray in
            let field = all.schema.fields[index]
            var builder = ArrowArrayBuilder(type: field.type)
            for row in 0..<rows {
                let value = all.columns[index].value(at: row)
                try builder.append(value == .null ? TypeSamples.filler(for: field.type) : value)
            }
            return builder.finish()
        }
        let input = try RecordBatch(schema: ArrowSchema(keep.map { all.schema.fields[$0] }), columns: columns)
        let calls = input.schema.fields.indices.map { index in
            FunctionCall(Self.pandas("identity", returns: try! SQLType(arrow: input.schema.fields[index])), [.column(index)])
        }
        let output = try await Harness.run(calls, over: [input], forwarded: [], workers: workers)
        for index in input.schema.fields.indices {
            #expect(output.column(index) == input.column(index), "\(input.schema.fields[index].name)")
        }
        let shout = try await Harness.run([FunctionCall(Self.pandas("shout", returns: .string), [.column(0)])],
                                          over: [try Harness.strings("s", ["héllo", "", "ok"])], forwarded: [], workers: workers)
        #expect(shout.column(0) == [.string("HÉLLO!"), .string("!"), .string("OK!")])
    }

    @Test(arguments: WorkerKind.allCases) func aResultOfTheWrongLengthNamesTheFunction(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [1, 2, 3])])
        var message = ""
        do {
            _ = try await Harness.run([FunctionCall(Self.pandas("too_short", returns: .double), [.column(0)])], over: [input], workers: workers)
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("too_short"), "\(message)")
        #expect(message.contains("2") && message.contains("3"), "\(message)")
    }

    @Test(arguments: WorkerKind.allCases) func iotTemperaturesAreInterpolatedPerDeviceAsPandasWould(workers: WorkerKind) async throws {
        // Temperatures with gaps (NULL) for three devices, interleaved.
        let devices = (0..<60).map { "dev-\($0 % 3)" }
        let temperatures: [Double?] = (0..<60).map { (row: Int) -> Double? in
            let gap = row % 4 == 1 || row % 7 == 0
            return gap ? nil : 20 + Double(row % 11) * 0.5
        }
        let input = try RecordBatch(
            schema: ArrowSchema([ArrowField("id", .utf8), ArrowField("temperature", .float64)]),
            columns: [.utf8(devices), .float64(temperatures.map { $0 ?? 0 }, validity: temperatures.map { $0 != nil })])
        let output = try await Harness.run([FunctionCall(Self.pandas("interpolate", returns: .double), [.column(0), .column(1)])],
                                           over: [input], forwarded: [], workers: workers)
        // pandas run directly on the same data.
        let folder = try TestPython.temporaryFolder()
        let json = try JSONSerialization.data(withJSONObject: ["id": devices, "t": temperatures.map { $0 as Any? ?? NSNull() }])
        try json.write(to: folder.appendingPathComponent("in.json"))
        let reference = try TestPython.run("Tests/PyFnRunnerTests/python/interpolate_reference.py", [folder.appendingPathComponent("in.json").path])
        try #require(reference.status == 0, "\(reference.output)")
        let expected = reference.output.split(separator: "\n").map { Double($0)! }
        let actual = output.columns[0].withValues(as: Double.self) { Array($0) }
        #expect(actual.count == expected.count)
        #expect(zip(actual, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(actual) vs \(expected)")
        #expect(output.columns[0].nullCount == 0)
    }
}

extension TypeSamples {
    /// A non-NULL value of a fixed-width or string type.
    static func filler(for type: ArrowType) -> ArrowValue {
        switch type {
        case .boolean: return .bool(true)
        case .float32, .float64: return .float(0.5)
        case .utf8: return .string("filler")
        default: return .int(7)
        }
    }
}
