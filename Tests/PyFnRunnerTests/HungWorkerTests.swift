import Foundation
import PyFnArrow
@testable import PyFnRunner
import PyFnTestSupport
import Testing

/// A UDF that never returns must not hang a job: after `python.fn-execution.bundle.timeout` without output or
/// an answer the worker's Python stacks are taken (faulthandler), it is killed, the bundle replayed, and after
/// `python.worker.max-restarts` the job fails with the stack of the function in the message.
@Suite(.serialized) struct HungWorkerTests {
    @Test func aFunctionInAnEndlessLoopEndsTheJobWithItsStack() async throws {
        let python = Harness.pythonOptions {
            $0.bundleTimeout = .seconds(2)
            $0.maxRestarts = 1
        }
        let call = FunctionCall(.reference("hang_udfs.spin_forever", returns: .bigint), [.column(0)])
        let start = ContinuousClock.now
        var message = "no error"
        do {
            _ = try await Harness.run([call], over: [try Harness.bigints([("x", [1, 2, 3])])], python: python)
        } catch {
            message = "\(error)"
        }
        // Two workers, each given 2 s (found within a quarter more), a stack dump and a kill; a start each.
        #expect(ContinuousClock.now - start < .seconds(25), "took \(ContinuousClock.now - start)")
        #expect(message.contains("got neither output nor an answer for 2 s (python.fn-execution.bundle.timeout)"), "\(message)")
        #expect(message.contains("hang_udfs.py\", line "), "\(message)")
        #expect(message.contains(" in spin_forever"), "\(message)")
        #expect(message.contains("while running spin_forever"), "\(message)")
        #expect(message.contains("gave up after 1 restarts"), "\(message)")
    }

    @Test func aSlowFunctionWithinTheTimeoutIsLeftAlone() async throws {
        // slow_counted takes 50 ms a row: 40 rows are 2 s of silence, under the 4 s limit.
        let python = Harness.pythonOptions {
            $0.bundleTimeout = .seconds(4)
            $0.maxRestarts = 0
        }
        let values = Array(Int64(0)..<40)
        let output = try await Harness.run([FunctionCall(Harness.udf("slow_counted", returns: .bigint), [.column(0)])],
                                           over: [try Harness.bigints([("x", values)])], forwarded: [], python: python)
        #expect(output.column(0) == values.map { .int($0) })
    }

    @Test func settingsNameTheTimeoutAndTheRestartLimit() throws {
        let options = try PythonOptions(settings: ["python.fn-execution.bundle.timeout": "90 s", "python.worker.max-restarts": "5"])
        #expect(options.bundleTimeout == .seconds(90) && options.maxRestarts == 5)
        #expect(try PythonOptions(settings: ["python.fn-execution.bundle.timeout": "0"]).bundleTimeout == nil)
        #expect(try PythonOptions(settings: [:]).bundleTimeout == .seconds(600))
        #expect(try PythonOptions(settings: [:]).maxRestarts == 3)
        #expect(throws: PyFnError.invalidDescriptor("'python.fn-execution.bundle.timeout' must be a duration such as '600 s' or '10 min' (0 turns it off), not 'soon'")) {
            try PythonOptions(settings: ["python.fn-execution.bundle.timeout": "soon"])
        }
        #expect(throws: PyFnError.invalidDescriptor("'python.worker.max-restarts' must be a whole number of at least 0, not '-1'")) {
            try PythonOptions(settings: ["python.worker.max-restarts": "-1"])
        }
    }

    @Test func stackDumpsKeepTheThreadsThatRunABundle() {
        let dump = """
            Thread 0x00007f01 (most recent call first):
              File "/usr/lib/python3.11/threading.py", line 320 in wait
              File "/usr/lib/python3.11/threading.py", line 1002 in _bootstrap

            Current thread 0x00007f02 (most recent call first):
              File "/tmp/udfs/hang_udfs.py", line 10 in spin_forever
              File "/repo/worker/pyfn/worker/bundle_processor.py", line 320 in _run
            """
        let kept = PythonStacks.bundleThreads(in: dump)
        #expect(kept.contains("spin_forever") && !kept.contains("threading.py"))
        #expect(PythonStacks.bundleThreads(in: "Thread 0x1 (most recent call first):\n  File \"x.py\", line 1 in f") .contains("x.py"))
    }
}
