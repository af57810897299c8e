import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// What users see when things go wrong: a clear message, within seconds, and no process left behind (Harness.run
/// checks that after every run).
@Suite(.serialized) struct WorkerFailureTests {
    static let fast = Harness.pythonOptions { $0.startTimeout = .seconds(10) }

    /// Runs `body`, requires it to throw within `seconds`, and returns the error's message.
    func failure(within seconds: Double = 10, _ body: () async throws -> Void) async -> String {
        let clock = ContinuousClock()
        let start = clock.now
        var message = "no error"
        do { try await body() } catch { message = "\(error)" }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(seconds), "took \(elapsed)")
        return message
    }

    @Test(arguments: WorkerKind.allCases) func aRaisingFunctionNamesItselfTheRowAndTheTraceback(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [4, 2, 0, 5])])
        let message = await failure {
            _ = try await Harness.run([FunctionCall(Harness.udf("inverse", returns: .double), [.column(0)])], over: [input], python: Self.fast,
                                      workers: workers)
        }
        #expect(message.contains("inverse"), "\(message)")
        #expect(message.contains("row 2"), "\(message)")
        #expect(message.contains("0"), "\(message)")
        #expect(message.contains("ZeroDivisionError"), "\(message)")
        #expect(message.contains("Traceback"), "\(message)")
    }

    @Test(arguments: WorkerKind.allCases) func aResultOfTheWrongTypeNamesTheFunctionAndRow(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [1])])
        let message = await failure {
            _ = try await Harness.run([FunctionCall(Harness.udf("wrong_type", returns: .bigint), [.column(0)])], over: [input], python: Self.fast,
                                      workers: workers)
        }
        #expect(message.contains("wrong_type"), "\(message)")
        #expect(message.contains("row 0"), "\(message)")
        #expect(message.contains("BIGINT"), "\(message)")
    }

    @Test(arguments: WorkerKind.allCases) func aModuleThatDoesNotImportIsNamed(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [1])])
        let missing = PythonFunction.reference("no_such_module_here.f", returns: .bigint)
        let message = await failure {
            _ = try await Harness.run([FunctionCall(missing, [.column(0)])], over: [input], python: Self.fast,
                                      workers: workers)
        }
        #expect(message.contains("no_such_module_here"), "\(message)")
    }

    @Test(arguments: WorkerKind.allCases) func aPythonThatDoesNotExistIsNamed(workers: WorkerKind) async throws {
        let input = try Harness.bigints([("x", [1])])
        let message = await failure {
            _ = try await Harness.run([FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(0)])], over: [input],
                                      python: Harness.pythonOptions { $0.executable = "/nonexistent/bin/python3" }, workers: workers)
        }
        #expect(message.contains("/nonexistent/bin/python3"), "\(message)")
        #expect(message.contains("python.executable"), "\(message)")
    }

    @Test func aWorkerThatExitsMidBundleIsReplacedThenReported() async throws {
        let input = try Harness.bigints([("x", Array(0..<20))])
        let message = await failure(within: 20) {
            _ = try await Harness.run([FunctionCall(Harness.udf("exit_on_seven", returns: .bigint), [.column(0)])], over: [input], python: Self.fast)
        }
        #expect(message.contains("exited with status 3"), "\(message)")
        #expect(message.contains("while running exit_on_seven"), "\(message)")
        #expect(message.contains("gave up after 3 restarts"), "\(message)")
    }

    @Test func aCrashedWorkerIsRestartedAndItsRowsReplayed() async throws {
        let marker = try TestPython.temporaryFolder()
        let values = Array(Int64(0)..<5000)
        var bundle = BundleOptions()
        bundle.bundleSize = 1000
        let output = try await Harness.run(
            [FunctionCall(Harness.udf("crash_once", returns: .bigint), [.column(0)])],
            over: [try Harness.bigints([("x", values)])], forwarded: [], bundle: bundle,
            python: Harness.pythonOptions { $0.jobParameters = ["marker_dir": marker.path] })
        #expect(output.column(0) == values.map { .int($0) })
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
    }
}
