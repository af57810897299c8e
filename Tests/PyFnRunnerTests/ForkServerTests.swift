import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// Process-mode workers forked by this user's fork server (`python.worker.fork-server`, ``ForkServer``), with a real
/// server and real workers: they answer as ordinary workers do, their parent is the server, and a worker that dies
/// mid-bundle is reported with its exit status (which the server relays) and replaced like any other.
/// The whole job path (`pyfn run` starting a server, the next job forking from it) is in worker/tests/test_fork_server.py.
@Suite(.serialized) struct ForkServerTests {
    static let options = Harness.pythonOptions {
        $0.forkServerIdleTimeout = .seconds(30)
        $0.startTimeout = .seconds(10)
    }

    /// The server for the test venv's interpreter, started if none answers, once it answers.
    static func runningServer() async throws -> ForkServer {
        let server = try #require(ForkServer(python: TestPython.executable, idleTimeout: .seconds(30)))
        if !server.answers { server.startInBackground(logger: Logger(label: "pyfn.test")) }
        let deadline = ContinuousClock.now + .seconds(60)
        while !server.answers {
            guard ContinuousClock.now < deadline else { throw PyFnError.workerStartFailed("no fork server at \(server.socketPath) within 60 s") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return server
    }

    static func commandLine(of pid: Int64) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
    }

    @Test func workersForkedByTheServerAnswerAsOrdinaryOnes() async throws {
        _ = try await Self.runningServer()
        let input = try Harness.bigints([("a", Array(0..<3000)), ("b", (0..<3000).map { $0 * 3 })])
        let output = try await Harness.run([FunctionCall(Harness.udf("add", returns: .bigint), [.column(0), .column(1)]),
                                            FunctionCall(Harness.udf("parent_pid", returns: .bigint), [.column(0)])],
                                           over: [input], forwarded: [], python: Self.options)
        let sumsRight = output.column(0) == (0..<3000).map { .int(Int64($0) * 4) }
        #expect(sumsRight, "add(a, b) gave other sums")
        guard case .int(let parent) = output.columns[1].value(at: 0) else { Issue.record("no parent pid"); return }
        #expect(parent != Int64(getpid()), "the worker is this process's child, not the server's")
        #expect(Self.commandLine(of: parent).contains("fork-server"), "parent \(parent): \(Self.commandLine(of: parent))")
    }

    @Test func aForkedWorkerThatExitsMidBundleIsReportedWithItsStatusAndReplaced() async throws {
        _ = try await Self.runningServer()
        let input = try Harness.bigints([("x", Array(0..<20))])
        do {
            _ = try await Harness.run([FunctionCall(Harness.udf("exit_on_seven", returns: .bigint), [.column(0)])], over: [input],
                                      python: Self.options)
            Issue.record("the job went on though its worker died at every try")
        } catch {
            let message = "\(error)"
            #expect(message.contains("exited with status 3"), "\(message)")
            #expect(message.contains("gave up after 3 restarts"), "\(message)")
        }
    }

    @Test func withoutAServerWorkersStartTheOrdinaryWay() async throws {
        // A server for an interpreter path nobody serves: the launch finds no socket and returns nil at once.
        let folder = try TestPython.temporaryFolder()
        let server = try #require(ForkServer(python: folder.appendingPathComponent("python").path, idleTimeout: .seconds(1)))
        #expect(!server.answers)
        let pipe = Pipe()
        #expect(server.launch(.worker, arguments: [], environment: [:], output: pipe.fileHandleForWriting,
                              errors: pipe.fileHandleForWriting) == nil)
    }
}
