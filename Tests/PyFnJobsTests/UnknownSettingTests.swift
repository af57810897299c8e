// Unknown python.*, pipeline.* and table.* settings fail the job with a "did you mean", wherever they come from:
// a job file's SET, --set overrides, a DataStream program's configuration.
import Foundation
import Testing
import PyFnRunner
@testable import PyFnJobs

@Suite("unknown settings")
struct UnknownSettingTests {
    @Test func misspeltKeysGetTheNearestKnownKey() {
        #expect(KnownSettings.problem(with: "python.fn-execution.bundel.size")
                == "unknown setting 'python.fn-execution.bundel.size'; did you mean 'python.fn-execution.bundle.size'?")
        #expect(KnownSettings.problem(with: "table.local-timezone")
                == "unknown setting 'table.local-timezone'; did you mean 'table.local-time-zone'?")
        #expect(KnownSettings.problem(with: "pipeline.nmae") == "unknown setting 'pipeline.nmae'; did you mean 'pipeline.name'?")
        // A key with its middle left out is found by its last two parts.
        #expect(KnownSettings.problem(with: "python.bundle.size")
                == "unknown setting 'python.bundle.size'; did you mean 'python.fn-execution.bundle.size'?")
        #expect(KnownSettings.problem(with: "python.fn-execution.memory.limt")
                == "unknown setting 'python.fn-execution.memory.limt'; did you mean 'python.fn-execution.memory.limit'?")
    }

    @Test func keysFarFromAnyKnownKeyAreStillErrors() {
        #expect(KnownSettings.problem(with: "python.colour")
                == "unknown setting 'python.colour': PyFn knows no such python.*, pipeline.* or table.* setting")
    }

    @Test func knownAndUncheckedKeysPass() {
        for key in ["python.fn-execution.bundle.size", "pipeline.name", "table.local-time-zone", "table.optimizer.join-reorder-enabled",
                    "parallelism.default", "execution.runtime-mode", "job.param.region", "pyfn.bundles-in-flight", "a.b"] {
            #expect(KnownSettings.problem(with: key) == nil, "\(key)")
        }
    }

    @Test func everyKeyPyFnReadsIsKnown() throws {
        // The settings the option readers take, spelt as they read them.
        for key in ["python.executable", "python.files", "python.metric.enabled", "python.profile.enabled", "python.log.level",
                    "python.fn-execution.bundle.timeout", "python.worker.max-restarts", "pipeline.global-job-parameters",
                    "python.fn-execution.bundle.size", "python.fn-execution.bundle.time", "python.fn-execution.arrow.batch.size",
                    "python.harness", "python.execution-mode", "python.worker-pool", "python.worker-pool.token-file",
                    "python.fn-api.host", "python.fn-api.port", "python.fn-api.advertised-host", "python.fn-api.tls.cert",
                    "python.fn-api.tls.key", "python.fn-api.tls.ca", "python.fn-api.tls.client-ca", WorkerMemoryLimit.setting,
                    "table.exec.async-scalar.max-concurrent-operations", "table.exec.async-scalar.timeout",
                    "table.exec.async-scalar.retry-strategy", "table.exec.async-scalar.retry-delay",
                    "table.exec.async-scalar.max-attempts"] {
            #expect(KnownSettings.accepts(key), "\(key)")
        }
    }

    @Test func aJobFileSETWithAMisspeltKeyFailsAtItsLine() throws {
        let text = "SET 'python.fn-execution.bundle.size' = '10';\nSET 'python.fn-execution.bundel.size' = '10';\n"
        let script = try SQLParser.parse(text, file: "job.sql")
        #expect(throws: SQLError("unknown setting 'python.fn-execution.bundel.size'; did you mean 'python.fn-execution.bundle.size'?",
                                 at: SourceLocation(file: "job.sql", line: 2, column: 1))) {
            _ = try Job(script: script, name: "job.sql", baseDirectory: "/tmp")
        }
    }

    @Test func aMisspeltOverrideFails() throws {
        let script = try SQLParser.parse("SET 'pipeline.name' = 'x';", file: "job.sql")
        #expect(throws: SQLError("unknown setting 'pipeline.nmae'; did you mean 'pipeline.name'?",
                                 at: SourceLocation(file: "--set", line: 1, column: 1))) {
            _ = try Job(script: script, name: "job.sql", baseDirectory: "/tmp", overrides: ["pipeline.nmae": "y"])
        }
    }

    @Test func aDataStreamProgramsMisspeltSettingFails() throws {
        let graph = StreamGraph(runtimeMode: "batch", nodes: [])
        do {
            _ = try DataStreamJob(graph: graph, settings: ["python.executabel": "python3"], baseDirectory: "/tmp")
            Issue.record("expected an error")
        } catch let error as UnknownSettingError {
            #expect(error.description == "unknown setting 'python.executabel'; did you mean 'python.executable'?")
        }
    }
}
