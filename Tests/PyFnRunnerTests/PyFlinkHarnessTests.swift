import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// python.harness = pyflink: PyFn's Swift operators driving PyFlink 2.3's unmodified worker
/// (`python -m pyflink.fn_execution.beam.beam_boot`) over real gRPC, with functions written against
/// `pyflink.table.udf` (Tests/PyFnRunnerTests/python/pyflink_udfs.py).
@Suite(.serialized, .enabled(if: PyFlinkPython.executable != nil, Comment(rawValue: PyFlinkPython.missing)))
struct PyFlinkHarnessTests {
    static func options(_ configure: (inout PythonOptions) -> Void = { _ in }) -> PythonOptions {
        var options = PythonOptions()
        options.executable = PyFlinkPython.executable
        options.files = [Harness.udfFolder]
        options.harness = .pyflink
        options.sessionTimeZone = .utc
        options.startTimeout = .seconds(60)
        configure(&options)
        return options
    }

    /// Functions of pyflink_udfs.py as PyFlink pickles them, described by the script the job planner runs.
    static func functions(_ names: [String]) throws -> [String: PythonFunction] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(PyFlinkPython.executable))
        process.arguments = PyFlinkFunctionScript.arguments + ["pyflink_udfs"] + names
        process.environment = ProcessInfo.processInfo.environment.merging(["PYTHONPATH": Harness.udfFolder]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        var found: [String: PythonFunction] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require(object["name"] as? String)
            let text = try #require(object["payload"] as? String)
            let payload = try #require(Data(base64Encoded: text))
            let kind: PythonFunction.Kind = switch object["kind"] as? String {
            case "TABLE": .table
            case "PANDAS_SCALAR": .pandasScalar
            default: .scalar
            }
            // The tests state result types themselves; the planner's parsing of them is tested with the jobs.
            found[name] = PythonFunction(name: name, body: .cloudpickle(payload), kind: kind, resultType: .string)
        }
        return found
    }

    static func function(_ name: String, returns type: SQLType) throws -> PythonFunction {
        var function = try #require(try functions([name])[name])
        function.resultType = type
        return function
    }

    /// Runs scalar `calls` over `batches` through PyFlink's worker; all output as one batch.
    static func run(_ calls: [FunctionCall], over batches: [RecordBatch], forwarded: [Int]? = nil,
                    bundle: BundleOptions = BundleOptions(), python: PythonOptions = options()) async throws -> RecordBatch {
        try await Harness.run(over: batches, python: python, environment: { PyFlinkEnvironment(server: $0, options: python) }) { environment in
            try ScalarFunctionOperator(calls: calls, inputSchema: batches[0].schema, forwardedColumns: forwarded,
                                       environment: environment, bundle: bundle, python: python)
        }
    }

    @Test func nestedCallsAndConstantsWithNulls() async throws {
        let input = try Harness.bigints([("a", [1, 2, nil, 40]), ("b", [10, nil, 30, 2])])
        let add = try Self.function("add", returns: .bigint)
        let times = try Self.function("times", returns: .bigint)
        let concat = try Self.function("concat", returns: .string)
        let output = try await Self.run(
            [FunctionCall(times, [.call(FunctionCall(add, [.column(0), .column(1)])), .constant(.bigint(3))]),
             FunctionCall(concat, [.constant(.string("x")), .constant(.double(1.5)), .constant(.null(.bigint))])],
            over: [input])
        #expect(output.schema.fields.map(\.name) == ["a", "b", "f0", "f1"])
        #expect(output.column(0) == [.int(1), .int(2), .null, .int(40)])
        #expect(output.column(2) == [.int(33), .null, .null, .int(126)])
        #expect(output.column(3) == Array(repeating: .string("'x'|1.5|None"), count: 4))
    }

    /// TypeSamples without its pre-1970 timestamp with a fraction of a second: PyFlink 2.3's Cython coder
    /// divides with C semantics and fails on those ("microsecond must be in 0..999999"), whoever sends them.
    static func typeSamples() throws -> RecordBatch {
        try TypeSamples.batch(TypeSamples.columns.map { field, values in
            (field, values.map { $0 == .timestamp(-1, .microsecond) ? .timestamp(1_000_001, .microsecond) : $0 })
        })
    }

    @Test func everyTypeGoesInAndComesBackWithNulls() async throws {
        let input = try Self.typeSamples()
        var calls: [FunctionCall] = []
        for (index, field) in input.schema.fields.enumerated() {
            let name = "echo_" + field.name.dropFirst(2)
            calls.append(FunctionCall(try Self.function(name, returns: try SQLType(arrow: field)), [.column(index)]))
        }
        let output = try await Self.run(calls, over: [input], forwarded: [])
        for (index, field) in input.schema.fields.enumerated() {
            #expect(output.columns[index].type == field.type, "\(field.name)")
            var expected = input.column(index)
            if field.name == "c_time" {
                // Flink's TIME travels as milliseconds of the day: sub-millisecond digits do not survive.
                expected = expected.map { if case .time(let us, let unit) = $0 { .time(us / 1000 * 1000, unit) } else { $0 } }
            }
            #expect(output.column(index) == expected, "\(field.name)")
        }
    }

    @Test func pythonSeesEveryTypeAsPyFlinkDecodesIt() async throws {
        let input = try Self.typeSamples()
        let describe = try Self.function("describe", returns: .string)
        let calls = input.schema.fields.indices.map { FunctionCall(describe, [.column($0)]) }
        let output = try await Self.run(calls, over: [input], forwarded: [])
        let seen = Dictionary(uniqueKeysWithValues: zip(input.schema.fields.map(\.name), (0..<calls.count).map { output.column($0) }))
        #expect(seen["c_boolean"] == [.string("True"), .string("None"), .string("False")])
        #expect(seen["c_bigint"] == [.string("-9223372036854775808"), .string("9223372036854775807"), .string("None")])
        #expect(seen["c_decimal"] == [.string("Decimal('123.45')"), .string("Decimal('-999.99')"), .string("None")])
        #expect(seen["c_string"] == [.string("'héllo wörld ✓'"), .string("''"), .string("None")])
        #expect(seen["c_bytes"] == [.string("b'\\x00\\xff\\x07'"), .string("None"), .string("b''")])
        #expect(seen["c_date"] == [.string("datetime.date(2022, 1, 8)"), .string("None"), .string("datetime.date(1969, 12, 31)")])
        #expect(seen["c_time"] == [.string("datetime.time(1, 0)"), .string("datetime.time(0, 0)"), .string("None")])
        #expect(seen["c_timestamp"] == [.string("None"), .string("datetime.datetime(2023, 11, 14, 22, 13, 20, 123456)"),
                                        .string("datetime.datetime(1970, 1, 1, 0, 0, 1, 1)")])
        #expect(seen["c_array"] == [.string("[1, None, 3]"), .string("[]"), .string("None")])
        #expect(seen["c_map"] == [.string("{'k': 1, 'z': None}"), .string("None"), .string("{}")])
        #expect(seen["c_row"] == [.string("Row(a=1, b='x')"), .string("Row(a=None, b=None)"), .string("None")])
    }

    /// TIMESTAMP_LTZ travels as Flink's TimestampData; PyFlink's LocalZonedTimestampCoderImpl labels the UTC wall
    /// clock with the session zone (TABLE_LOCAL_TIME_ZONE), and its encoder reads a result's wall clock as UTC.
    @Test func ltzReachesPyFlinkAsItsCoderDecodesItAndComesBack() async throws {
        let ltz = SQLType(.timestampLTZ(precision: 3))
        let input = try TypeSamples.batch([(SQLField("c_ltz", ltz), [.timestamp(0, .microsecond),
                                                                      .timestamp(1_704_081_600_123_000, .microsecond), .null])])
        let describe = try Self.function("describe", returns: .string)
        let echo = try Self.function("echo_timestamp", returns: ltz)
        let shanghai = try #require(SessionTimeZone(identifier: "Asia/Shanghai"))
        let output = try await Self.run([FunctionCall(describe, [.column(0)]), FunctionCall(echo, [.column(0)])], over: [input],
                                        forwarded: [], python: Self.options { $0.sessionTimeZone = shanghai })
        let zone = "tzinfo=<DstTzInfo 'Asia/Shanghai' CST+8:00:00 STD>"
        #expect(output.column(0) == [.string("datetime.datetime(1970, 1, 1, 0, 0, \(zone))"),
                                     .string("datetime.datetime(2024, 1, 1, 4, 0, 0, 123000, \(zone))"), .string("None")])
        #expect(output.columns[1].type == ltz.arrowType)
        #expect(output.column(1) == input.column(0))
    }

    /// A Pandas UDF over TIMESTAMP_LTZ through PyFlink's worker: PyFlink's `tz_convert_from_internal` localizes the
    /// UTC wall clock to the session zone; its result's wall clock is read as UTC.
    @Test func ltzReachesPyFlinksPandasFunctionsAndComesBack() async throws {
        let ltz = SQLType(.timestampLTZ(precision: 3))
        let input = try TypeSamples.batch([(SQLField("c_ltz", ltz), [.timestamp(0, .microsecond),
                                                                      .timestamp(1_704_081_600_123_000, .microsecond), .null])])
        var describe = try Self.function("pandas_describe", returns: .string)
        describe.kind = .pandasScalar
        var echo = try Self.function("pandas_echo", returns: ltz)
        echo.kind = .pandasScalar
        let shanghai = try #require(SessionTimeZone(identifier: "Asia/Shanghai"))
        let output = try await Self.run([FunctionCall(describe, [.column(0)]), FunctionCall(echo, [.column(0)])], over: [input],
                                        forwarded: [], python: Self.options { $0.sessionTimeZone = shanghai })
        #expect(output.column(0) == [.string("datetime64[us, Asia/Shanghai]|Timestamp('1970-01-01 00:00:00+0800', tz='Asia/Shanghai')"),
                                     .string("datetime64[us, Asia/Shanghai]|Timestamp('2024-01-01 04:00:00.123000+0800', tz='Asia/Shanghai')"),
                                     .string("datetime64[us, Asia/Shanghai]|NaT")])
        #expect(output.columns[1].type == ltz.arrowType)
        #expect(output.column(1) == input.column(0))
    }

    @Test(arguments: [false, true]) func aTableFunctionJoinsItsRowsInnerAndLeft(leftOuter: Bool) async throws {
        let words = try Self.function("words", returns: .row([SQLField("word", .string), SQLField("length", .int)]))
        let input = try Harness.strings("line", ["to be", nil, "", "or not"])
        let python = Self.options()
        let output = try await Harness.run(over: [input], python: python, environment: { PyFlinkEnvironment(server: $0, options: python) }) { environment in
            try TableFunctionOperator(call: FunctionCall(words, [.column(0)]), inputSchema: input.schema, leftOuter: leftOuter,
                                      environment: environment, python: python)
        }
        if leftOuter {
            #expect(output.column(0) == [.string("to be"), .string("to be"), .null, .string(""), .string("or not"), .string("or not")])
            #expect(output.column(1) == [.string("to"), .string("be"), .null, .null, .string("or"), .string("not")])
            #expect(output.column(2) == [.int(2), .int(2), .null, .null, .int(2), .int(3)])
        } else {
            #expect(output.column(0) == [.string("to be"), .string("to be"), .string("or not"), .string("or not")])
            #expect(output.column(1) == [.string("to"), .string("be"), .string("or"), .string("not")])
            #expect(output.column(2) == [.int(2), .int(2), .int(2), .int(3)])
        }
    }

    @Test func aPandasFunctionGetsWholeColumns() async throws {
        let values = Array(Int64(0)..<5000)
        let input = try Harness.bigints([("a", values), ("b", values.map { $0 * 10 })])
        var pandasAdd = try Self.function("pandas_add", returns: .bigint)
        pandasAdd.kind = .pandasScalar
        var bundle = BundleOptions()
        bundle.bundleSize = 1000
        let output = try await Self.run([FunctionCall(pandasAdd, [.column(0), .column(1)])], over: [input], forwarded: [], bundle: bundle)
        #expect(output.column(0) == values.map { .int($0 * 11) })
    }

    @Test func manyBundlesOfManyRowsKeepTheirOrder() async throws {
        let values = Array(Int64(0)..<200_000)
        let add = try Self.function("add", returns: .bigint)
        var bundle = BundleOptions()
        bundle.bundleSize = 30_000
        let output = try await Self.run([FunctionCall(add, [.column(0), .constant(.bigint(7))])],
                                        over: [try Harness.bigints([("x", values)])], forwarded: [], bundle: bundle)
        #expect(output.column(0) == values.map { .int($0 + 7) })
    }

    @Test func metricsAndLogsComeBack() async throws {
        let shout = try Self.function("shout", returns: .string)
        let metrics = RunnerMetrics(job: "pyflink")
        let records = LogRecords()
        let logger = Logger(label: "pyfn.worker") { _ in CapturingLogHandler(records: records) }
        let server = try await FnAPIServer.start(logger: logger)
        let python = Self.options()
        let input = try Harness.strings("word", ["a", "b", nil])
        let op = try ScalarFunctionOperator(calls: [FunctionCall(shout, [.column(0)])], inputSchema: input.schema, forwardedColumns: [],
                                            environment: PyFlinkEnvironment(server: server, options: python, logger: logger),
                                            python: python, metrics: metrics)
        try await op.open()
        let output = try await op.process(input) + op.finish()
        await op.close()
        await server.shutdown()
        #expect(try RecordBatch.concatenate(output).column(0) == [.string("A"), .string("B"), .null])
        #expect(metrics.snapshot().userMetrics.first { $0.key.name == "rows" }?.value == 3)
        let opened = records.all.first { $0.message == "Shout opened" }
        #expect(opened?.level == .warning, "\(records.all.map(\.message))")
    }

    @Test func aWorkerKilledMidBundleIsReplacedAndTheBundleReplayed() async throws {
        let marker = try TestPython.temporaryFolder()
        let values = Array(Int64(0)..<10_000)
        var bundle = BundleOptions()
        bundle.bundleSize = 1000
        let crash = try Self.function("crash_once", returns: .bigint)
        let output = try await Self.run([FunctionCall(crash, [.column(0)])], over: [try Harness.bigints([("x", values)])], forwarded: [],
                                        bundle: bundle, python: Self.options { $0.jobParameters = ["marker_dir": marker.path] })
        #expect(output.column(0) == values.map { .int($0) })
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
    }

    @Test func aRaisingFunctionStopsTheOperatorWithPythonsTraceback() async throws {
        let inverse = try Self.function("inverse", returns: .double)
        await #expect {
            _ = try await Self.run([FunctionCall(inverse, [.column(0)])], over: [try Harness.bigints([("x", [4, 0, 2])])])
        } throws: { error in
            let message = "\(error)"
            return message.contains("ZeroDivisionError") && message.contains("inverse") && message.contains("Traceback")
        }
    }

    @Test func anAggregateFunctionIsRefusedWithAClearMessage() async throws {
        var total = try Self.function("add", returns: .bigint)
        total.kind = .aggregate
        let python = Self.options()
        let input = try Harness.bigints([("x", [1])])
        await #expect {
            _ = try await Harness.run(over: [input], python: python, environment: { PyFlinkEnvironment(server: $0, options: python) }) { environment in
                try AggregateFunctionOperator(calls: [FunctionCall(total, [.column(0)])], grouping: [], inputSchema: input.schema,
                                              environment: environment, python: python)
            }
        } throws: { error in
            "\(error)".contains("python.harness = pyflink")
        }
    }
}
