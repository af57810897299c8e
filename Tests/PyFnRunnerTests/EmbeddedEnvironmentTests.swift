import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// What is particular to embedded mode (the operator, type, error and log tests run in both modes elsewhere).
@Suite(.serialized) struct EmbeddedEnvironmentTests {
    @Test func functionMetricsReachTheRunnerFromTheEmbeddedInterpreter() async throws {
        let python = Harness.pythonOptions()
        let metrics = RunnerMetrics(job: "embedded")
        let op = try ScalarFunctionOperator(
            calls: [FunctionCall(Harness.udf("slow_counted", returns: .bigint), [.column(0)])],
            inputSchema: try Harness.bigints([("x", [])]).schema,
            environment: EmbeddedEnvironment(options: python), python: python, metrics: metrics)
        try await op.open()
        var output = try await op.process(try Harness.bigints([("x", [1, 2, 3, 4])]))
        output += try await op.finish()
        await op.close()
        #expect(output.reduce(0) { $0 + $1.length } == 4)
        #expect(metrics.snapshot().userMetrics.first { $0.key.name == "slow_rows" }?.value == 4)
    }

    static let otherPython = "/usr/bin/python3"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: otherPython) && otherPython != TestPython.executable,
                   "needs a second Python at /usr/bin/python3"))
    func aSecondInterpreterInTheSameProcessIsRefusedByName() async throws {
        // Embedded mode has started the project's Python in this process (or does so now).
        _ = try await Harness.run([FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(0)])],
                                  over: [try Harness.bigints([("x", [1])])], workers: .embedded)
        let other = Self.otherPython
        var message = "no error"
        do {
            _ = try await EmbeddedEnvironment(options: Harness.pythonOptions { $0.executable = other }).startWorker()
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("already embeds"), "\(message)")
        #expect(message.contains(other), "\(message)")
    }
}
