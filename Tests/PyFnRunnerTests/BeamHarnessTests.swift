import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// An unmodified Apache Beam Python SDK harness booted as the worker (python/beam_boot.py behind a
/// `python.executable` wrapper, run by the PyFlink venv's interpreter, which has apache-beam 2.61): it gets
/// through Provision, Logging, Control (and GetProcessBundleDescriptor) and State, and the job fails within 30 s
/// with an error naming what that worker does not know; never a hang, never a success. (Beam builds the sink's
/// coder, `pyfn:coder:arrow:v1`, before it dials the Data service, so that is where it stops.)
@Suite(.serialized) struct BeamHarnessTests {
    /// An interpreter with apache-beam: `$PYFN_PYFLINK_PYTHON`, else the venv scripts/pyflink-venv.sh makes at the
    /// repository root, else the machine's shared one; nil when there is none.
    static let beamPython: String? = {
        let candidates = [ProcessInfo.processInfo.environment["PYFN_PYFLINK_PYTHON"] ?? "",
                          TestPython.repositoryRoot.appendingPathComponent(".venv-pyflink/bin/python").path,
                          "/work/shared-venv-pyflink/bin/python"]
        return candidates.first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: beamPython != nil, "no PyFlink venv with apache-beam (scripts/pyflink-venv.sh makes it, or set PYFN_PYFLINK_PYTHON)"))
    func anUnmodifiedBeamHarnessFailsTheJobNamingWhatItDoesNotKnow() async throws {
        let executable = try WorkerWrapper.make(python: try #require(Self.beamPython),
                                                script: WorkerWrapper.testScript("beam_boot.py"))
        let python = Harness.pythonOptions {
            $0.executable = executable
            $0.startTimeout = .seconds(30)
        }
        let records = LogRecords()
        let server = try await FnAPIServer.start(logger: Logger(label: "pyfn.worker") { _ in CapturingLogHandler(records: records) })
        let input = try Harness.bigints([("x", [1, 2, 3])])
        let op = try ScalarFunctionOperator(calls: [FunctionCall(Harness.udf("times_two", returns: .bigint), [.column(0)])],
                                            inputSchema: input.schema, forwardedColumns: [],
                                            environment: ProcessEnvironment(server: server, options: python),
                                            bundle: BundleOptions(), python: python)
        let start = ContinuousClock.now
        var message = "no error: the job succeeded"
        do {
            try await op.open()
            _ = try await op.process(input)
            _ = try await op.finish()
        } catch {
            message = "\(error)"
        }
        await op.close()
        let called = await server.registry.servicesCalled.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        await server.shutdown()
        #expect(ContinuousClock.now - start < .seconds(30), "took \(ContinuousClock.now - start)")
        #expect(message.contains("KeyError: 'pyfn:coder:arrow:v1'"), "\(message)")
        #expect(called.isSuperset(of: ["ProvisionService", "BeamFnLogging", "BeamFnControl", "BeamFnState"]), "\(called)")
        #expect(records.all.contains { $0.message.contains("Python sdk harness starting") },
                "Beam's log records did not arrive: \(records.all.map(\.message).prefix(10))")
        #expect(Harness.livingWorkers(of: server) == [])
    }
}
