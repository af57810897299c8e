// The worker memory limit (python.fn-execution.memory.limit) with real workers: a function that allocates without
// bound is stopped at the limit, its bundle replayed once on a fresh worker, and the job fails naming the
// function and the limit; a bundle that passes the limit only once loses no row.
import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

@Suite(.serialized) struct WorkerMemoryLimitTests {
    @Test func theSettingTakesFlinkMemorySizes() throws {
        #expect(try PythonOptions(settings: [WorkerMemoryLimit.setting: "512m"]).memoryLimit == 512 << 20)
        #expect(try PythonOptions(settings: [WorkerMemoryLimit.setting: "2 gb"]).memoryLimit == 2 << 30)
        #expect(try PythonOptions(settings: [WorkerMemoryLimit.setting: "1048576"]).memoryLimit == 1 << 20)
        #expect(try PythonOptions(settings: [:]).memoryLimit == nil)
        #expect(throws: PyFnError.invalidDescriptor("'python.fn-execution.memory.limit' must be a memory size such as '512m' or '2g', not 'lots'")) {
            _ = try PythonOptions(settings: [WorkerMemoryLimit.setting: "lots"])
        }
    }

    @Test func aFunctionThatAllocatesWithoutBoundIsStoppedAndNamed() async throws {
        let input = try Harness.bigints([("x", [1, 2, 3])])
        let started = ContinuousClock.now
        var message = "no error"
        do {
            _ = try await Harness.run([FunctionCall(Harness.udf("hoard", returns: .bigint), [.column(0)])], over: [input],
                                      python: Harness.pythonOptions { $0.memoryLimit = 300 << 20 })
        } catch {
            message = "\(error)"
        }
        #expect(ContinuousClock.now - started < .seconds(60))
        let expected = #/Python worker lost: while running hoard: worker worker-\d+-\d+: its process passed its memory limit of 300 MB \(python\.fn-execution\.memory\.limit\) with [0-9.]+ MB resident, and was killed \(again after a replay on a fresh worker\)/#
        #expect(message.wholeMatch(of: expected) != nil, "\(message)")
    }

    @Test func aBundleThatPassesTheLimitOnceIsReplayedWithoutLoss() async throws {
        let marker = try TestPython.temporaryFolder()
        let values = Array(Int64(0)..<2000)
        let output = try await Harness.run(
            [FunctionCall(Harness.udf("hoard_once", returns: .bigint), [.column(0)])],
            over: [try Harness.bigints([("x", values)])], forwarded: [],
            python: Harness.pythonOptions { $0.memoryLimit = 300 << 20; $0.jobParameters = ["marker_dir": marker.path] })
        #expect(output.column(0) == values.map { .int($0) })
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("hoarded").path))
    }
}
