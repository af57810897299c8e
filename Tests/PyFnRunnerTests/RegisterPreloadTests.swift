// An operator's functions are loaded and opened when the operator opens, before its first row is sent: in process
// mode the runner pushes the descriptor with a RegisterRequest, as embedded mode registers it. What fails there
// still fails the first bundle with the message it always had, and a worker that replaces a crashed one opens the
// functions again.
import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

@Suite(.serialized) struct RegisterPreloadTests {
    /// `udfs_preload.stamps_open` (worker/tests): doubles its argument, and appends "opened <unix time>" to the
    /// file of the job parameter `open_log` when opened.
    static let stampsOpen = PythonFunction.reference("udfs_preload.stamps_open", returns: .bigint)

    /// The unix times at which `stamps_open` was opened, from its log.
    static func openings(_ log: URL) -> [Double] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test(arguments: WorkerKind.allCases) func theFunctionsAreOpenBeforeASlowSourceSendsItsFirstRow(workers: WorkerKind) async throws {
        let log = try TestPython.temporaryFolder().appendingPathComponent("opened.txt")
        let python = Harness.pythonOptions { $0.jobParameters = ["open_log": log.path] }
        let input = try Harness.bigints([("x", [1, 2, 3])])
        let server = try await FnAPIServer.start()
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Self.stampsOpen, [.column(0)])], inputSchema: input.schema,
                                            forwardedColumns: [], environment: workers.environment(server, python),
                                            bundle: BundleOptions(), python: python)
        do {
            try await op.open()
            try await Task.sleep(for: .milliseconds(200))  // the source is slow: its first row comes later
            let firstRowSent = Date().timeIntervalSince1970
            let opened = Self.openings(log)
            #expect(opened.count == 1 && opened[0] < firstRowSent, "open() ran at \(opened), the first row went at \(firstRowSent)")
            var output = try await op.process(input)
            output += try await op.finish()
            #expect(try RecordBatch.concatenate(output).column(0) == [.int(2), .int(4), .int(6)])
            #expect(Self.openings(log).count == 1, "opened once")
        } catch {
            await op.close()
            await server.shutdown()
            throw error
        }
        await op.close()
        await server.shutdown()
    }

    @Test(arguments: WorkerKind.allCases) func anOpenThatFailsFailsTheFirstBundleNamingTheFunction(workers: WorkerKind) async throws {
        let folder = try TestPython.temporaryFolder()
        let python = Harness.pythonOptions {
            $0.jobParameters = ["open_log": folder.appendingPathComponent("opened.txt").path,
                                "ready": folder.appendingPathComponent("never-there").path]
        }
        var message = "no error"
        do {
            _ = try await Harness.run([FunctionCall(Self.stampsOpen, [.column(0)])], over: [try Harness.bigints([("x", [1])])],
                                      python: python, workers: workers)
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("function 'stamps_open' failed in open()"), "\(message)")
        #expect(message.contains("RuntimeError: the lookup table is not there yet"), "\(message)")
    }

    @Test func aWorkerThatReplacesACrashedOneOpensTheFunctionsAgain() async throws {
        let folder = try TestPython.temporaryFolder()
        let log = folder.appendingPathComponent("opened.txt")
        let python = Harness.pythonOptions { $0.jobParameters = ["open_log": log.path, "marker_dir": folder.path] }
        let values = Array(Int64(0)..<3000)
        var bundle = BundleOptions()
        bundle.bundleSize = 1000
        let output = try await Harness.run(
            [FunctionCall(Self.stampsOpen, [.column(0)]), FunctionCall(Harness.udf("crash_once", returns: .bigint), [.column(0)])],
            over: [try Harness.bigints([("x", values)])], forwarded: [], bundle: bundle, python: python)
        #expect(output.column(0) == values.map { .int($0 * 2) })
        #expect(output.column(1) == values.map { .int($0) })
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("crashed").path))
        #expect(Self.openings(log).count == 2, "one opening per worker: \(Self.openings(log))")
    }
}
