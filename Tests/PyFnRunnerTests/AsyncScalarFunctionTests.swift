import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// Async scalar functions end to end through real workers (Tests/PyFnRunnerTests/python/async_udfs.py): many
/// calls in flight, results in input order, Flink's timeout and retry settings, a worker lost mid-bundle.
@Suite(.serialized) struct AsyncScalarFunctionTests {
    static func async(_ name: String) -> PythonFunction {
        .reference("async_udfs.\(name)", kind: .asyncScalar, returns: .bigint)
    }

    /// Python options with `settings` as a job's `table.exec.async-scalar.*` settings.
    static func python(_ settings: [String: String], jobParameters: [String: String] = [:]) throws -> PythonOptions {
        let options = try AsyncScalarOptions(settings: settings)
        return Harness.pythonOptions {
            $0.asyncScalar = options
            $0.jobParameters = jobParameters
        }
    }

    static func message(of body: () async throws -> Void) async -> String {
        do { try await body() } catch { return "\(error)" }
        return "no error"
    }

    @Test(arguments: WorkerKind.allCases) func threeThousandSlowLookupsRunTwoHundredAtATimeInInputOrder(workers: WorkerKind) async throws {
        let keys = Array(Int64(0)..<3000)
        // One at a time these calls sleep 375 s in all (50-200 ms each).
        let sequentialSeconds = keys.reduce(0.0) { $0 + 0.05 + Double($1 * 37 % 151) / 1000 }
        #expect(sequentialSeconds > 300)
        let clock = ContinuousClock()
        let start = clock.now
        let output = try await Harness.run([FunctionCall(Self.async("lookup"), [.column(0)])], over: [try Harness.bigints([("k", keys)])],
                                           python: try Self.python(["table.exec.async-scalar.max-concurrent-operations": "200"]),
                                           workers: workers)
        let elapsed = clock.now - start
        #expect(output.column(1) == keys.map { .int($0 * 3) })
        #expect(output.column(0) == keys.map { .int($0) })
        #expect(elapsed < .seconds(15), "took \(elapsed)")
    }

    @Test(arguments: WorkerKind.allCases) func aCallOverTheTimeoutFailsNamingFunctionRowAndSetting(workers: WorkerKind) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let message = await Self.message {
            _ = try await Harness.run([FunctionCall(Self.async("slow"), [.column(0)])], over: [try Harness.bigints([("k", [41])])],
                                      python: try Self.python(["table.exec.async-scalar.timeout": "300 ms"]), workers: workers)
        }
        #expect(clock.now - start < .seconds(20), "the 30 s call was not cut off")
        #expect(message.contains("function 'slow' timed out after 300 ms (table.exec.async-scalar.timeout) at row 0"), "\(message)")
        #expect(message.contains("with arguments (41)"), "\(message)")
    }

    @Test(arguments: WorkerKind.allCases) func aRetryThatSucceedsGivesTheRightValues(workers: WorkerKind) async throws {
        let keys = Array(Int64(0)..<50)
        let output = try await Harness.run([FunctionCall(Self.async("flaky"), [.column(0)])], over: [try Harness.bigints([("k", keys)])],
                                           forwarded: [],
                                           python: try Self.python(["table.exec.async-scalar.retry-strategy": "FIXED_DELAY",
                                                                    "table.exec.async-scalar.retry-delay": "10 ms",
                                                                    "table.exec.async-scalar.max-attempts": "3"]),
                                           workers: workers)
        #expect(output.column(0) == keys.map { .int($0 + 1000) })
    }

    @Test(arguments: WorkerKind.allCases) func aRetryThatGivesUpFailsNamingTheFunctionAndRow(workers: WorkerKind) async throws {
        let message = await Self.message {
            _ = try await Harness.run([FunctionCall(Self.async("always_fails"), [.column(0)])], over: [try Harness.bigints([("k", [7])])],
                                      python: try Self.python(["table.exec.async-scalar.retry-delay": "5 ms",
                                                               "table.exec.async-scalar.max-attempts": "4"]),
                                      workers: workers)
        }
        #expect(message.contains("function 'always_fails' raised ConnectionError: service down for key 7 (all 4 attempts, table.exec.async-scalar.max-attempts) at row 0 of the bundle with arguments (7)"),
                "\(message)")
        let noRetry = await Self.message {
            _ = try await Harness.run([FunctionCall(Self.async("flaky"), [.column(0)])], over: [try Harness.bigints([("k", [3])])],
                                      python: try Self.python(["table.exec.async-scalar.retry-strategy": "NO_RETRY"]), workers: workers)
        }
        #expect(noRetry.contains("function 'flaky' raised ConnectionError: service busy for key 3 at row 0"), "\(noRetry)")
    }

    @Test func aWorkerKilledWithCallsInFlightIsReplacedAndTheResultsAreExact() async throws {
        let marker = try TestPython.temporaryFolder()
        let keys = Array(Int64(0)..<2000)
        var bundle = BundleOptions()
        bundle.bundleSize = 1000
        let output = try await Harness.run([FunctionCall(Self.async("crash_while_in_flight"), [.column(0)])],
                                           over: [try Harness.bigints([("k", keys)])], forwarded: [], bundle: bundle,
                                           python: try Self.python(["table.exec.async-scalar.max-concurrent-operations": "100"],
                                                                   jobParameters: ["marker_dir": marker.path]))
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
        #expect(output.column(0) == keys.map { .int($0 * 7) })
    }

    @Test func settingsThatCannotBeReadAreRefusedNamingTheKey() throws {
        #expect(throws: PyFnError.self) { try AsyncScalarOptions(settings: ["table.exec.async-scalar.max-concurrent-operations": "0"]) }
        do {
            _ = try AsyncScalarOptions(settings: ["table.exec.async-scalar.retry-strategy": "EXPONENTIAL"])
            Issue.record("accepted EXPONENTIAL")
        } catch {
            #expect("\(error)".contains("'table.exec.async-scalar.retry-strategy' must be NO_RETRY or FIXED_DELAY, not 'EXPONENTIAL'"), "\(error)")
        }
        let options = try AsyncScalarOptions(settings: ["table.exec.async-scalar.timeout": "2 s", "table.exec.async-scalar.retry-strategy": "no_retry"])
        #expect(options.timeout == .seconds(2))
        #expect(options.retryStrategy == .noRetry)
        #expect(AsyncScalarOptions().maxConcurrentOperations == 10)
    }
}
