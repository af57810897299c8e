// Workers killed in their first second (before or during the handshake) are restarted like workers lost later,
// within the same python.worker.max-restarts budget: a deliberate `kill -9` from a python.executable wrapper.
import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

@Suite(.serialized) struct EarlyWorkerDeathTests {
    /// A python.executable that, for its first `kills` starts, runs the real worker and `kill -9`s it (and itself)
    /// after `delay` seconds (0: before Python even starts); later starts run the worker untouched. Each start
    /// adds a line to the returned `starts` file.
    static func killingWrapper(kills: Int, delay: String) throws -> (executable: String, starts: URL) {
        let folder = try TestPython.temporaryFolder()
        let starts = folder.appendingPathComponent("starts")
        let path = folder.appendingPathComponent("python").path
        // The doomed workers first sleep 3 s in a sitecustomize (before they can connect), so the kill lands while they
        // start however fast the machine is: a quiet machine ran the whole bundle within 0.4 s.
        try "import time\ntime.sleep(3)\n".write(to: folder.appendingPathComponent("sitecustomize.py"), atomically: true, encoding: .utf8)
        let text = """
            #!/bin/sh
            # python.executable for a test: the first \(kills) workers are killed with SIGKILL \(delay) s after starting.
            echo start >> '\(starts.path)'
            if [ "$(wc -l < '\(starts.path)')" -le \(kills) ]; then
              PYTHONPATH='\(folder.path)' '\(TestPython.executable)' "$@" &
              sleep \(delay)
              kill -9 $!
              kill -9 $$
            fi
            exec '\(TestPython.executable)' "$@"

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return (path, starts)
    }

    static func startCount(_ starts: URL) -> Int {
        ((try? String(contentsOf: starts, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test(arguments: ["0", "0.4"]) func aWorkerKilledInItsFirstSecondIsRestarted(delay: String) async throws {
        let (wrapper, starts) = try Self.killingWrapper(kills: 2, delay: delay)
        let values = Array(Int64(0)..<100)
        let output = try await Harness.run(
            [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(0)])],
            over: [try Harness.bigints([("x", values)])], forwarded: [],
            python: Harness.pythonOptions { $0.executable = wrapper; $0.maxRestarts = 3 })
        #expect(output.column(0) == values.map { .int(2 * $0) })
        #expect(Self.startCount(starts) == 3, "two workers killed while starting, the third ran the bundle")
    }

    @Test func workersThatAlwaysDieWhileStartingSpendTheRestartBudget() async throws {
        let (wrapper, starts) = try Self.killingWrapper(kills: 100, delay: "0")
        var message = "no error"
        do {
            _ = try await Harness.run(
                [FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(0)])],
                over: [try Harness.bigints([("x", [1, 2])])], forwarded: [],
                python: Harness.pythonOptions { $0.executable = wrapper; $0.maxRestarts = 2 })
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("died while starting"), "\(message)")
        #expect(message.contains("exited with status 9"), "\(message)")
        #expect(message.contains("gave up after 2 restarts"), "\(message)")
        #expect(Self.startCount(starts) == 3, "the first start and two restarts")
    }
}
