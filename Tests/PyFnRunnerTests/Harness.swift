import Foundation
import Logging
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// How a test's workers run: as `python -m pyfn.worker` processes over gRPC, or in the CPython embedded in the
/// test process.
enum WorkerKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case process, embedded

    var testDescription: String { rawValue }

    /// The environment of this kind for `server`, writing Python's log records to `logger`.
    func environment(_ server: FnAPIServer, _ python: PythonOptions,
                     logger: Logger = Logger(label: "pyfn.worker")) -> any WorkerEnvironment {
        switch self {
        case .process: return ProcessEnvironment(server: server, options: python, logger: logger)
        case .embedded: return EmbeddedEnvironment(options: python, logger: logger)
        }
    }
}

/// Runs operators against real Python workers started from the project's venv, with the test UDF modules of
/// Tests/PyFnRunnerTests/python on their path.
enum Harness {
    static let udfFolder = TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnRunnerTests/python").path
    /// The harness tests' PyFlink-style functions (worker/tests), shared with these tests.
    static let harnessTestFolder = TestPython.repositoryRoot.appendingPathComponent("worker/tests").path

    static func pythonOptions(_ configure: (inout PythonOptions) -> Void = { _ in }) -> PythonOptions {
        var options = PythonOptions()
        options.executable = TestPython.executable
        options.files = [udfFolder, harnessTestFolder]
        options.startTimeout = .seconds(20)
        configure(&options)
        return options
    }

    /// A function from Tests/PyFnRunnerTests/python/scalar_udfs.py.
    static func udf(_ name: String, returns type: SQLType) -> PythonFunction {
        .reference("scalar_udfs.\(name)", returns: type)
    }

    /// Runs `calls` over `batches` through a fresh server, worker and scalar operator; returns all output as one batch.
    static func run(_ calls: [FunctionCall], over batches: [RecordBatch], forwarded: [Int]? = nil,
                    bundle: BundleOptions = BundleOptions(), python: PythonOptions = pythonOptions(),
                    workers: WorkerKind = .process) async throws -> RecordBatch {
        try await run(over: batches, python: python, workers: workers) { environment in
            try ScalarFunctionOperator(calls: calls, inputSchema: batches[0].schema, forwardedColumns: forwarded,
                                       environment: environment, bundle: bundle, python: python)
        }
    }

    /// Runs the operator `make` builds over `batches` through a fresh server and a worker of kind `workers`;
    /// returns all output as one batch, and checks that no worker outlives the operator. `inspect` sees the
    /// operator after the input is finished, before it is closed.
    /// `environment`, when given, makes the workers' environment instead of `workers`.
    static func run(over batches: [RecordBatch], python: PythonOptions = pythonOptions(), workers: WorkerKind = .process,
                    environment: ((FnAPIServer) -> any WorkerEnvironment)? = nil,
                    inspect: (FnAPIServer) -> Void = { _ in },
                    _ make: (any WorkerEnvironment) throws -> PythonFunctionOperator) async throws -> RecordBatch {
        let server = try await FnAPIServer.start()
        defer { #expect(livingWorkers(of: server) == [], "a worker outlived its operator") }
        let op = try make(environment?(server) ?? workers.environment(server, python))
        do {
            try await op.open()
            var output: [RecordBatch] = []
            for batch in batches { output += try await op.process(batch) }
            output += try await op.finish()
            inspect(server)
            await op.close()
            await server.shutdown()
            return output.isEmpty ? try empty(op.outputSchema) : try RecordBatch.concatenate(output)
        } catch {
            await op.close()
            await server.shutdown()
            throw error
        }
    }

    /// A batch with no rows.
    static func empty(_ schema: ArrowSchema) throws -> RecordBatch {
        try RecordBatch(schema: schema, columns: schema.fields.map { field in
            var builder = ArrowArrayBuilder(type: field.type)
            return builder.finish()
        })
    }

    /// A batch of BIGINT columns.
    static func bigints(_ columns: [(String, [Int64?])]) throws -> RecordBatch {
        let schema = ArrowSchema(columns.map { ArrowField($0.0, .int64) })
        return try RecordBatch(schema: schema, columns: columns.map { name, values in
            ArrowArray.int64(values.map { $0 ?? 0 }, validity: values.contains(nil) ? values.map { $0 != nil } : nil)
        })
    }

    /// Worker processes started for `server` that are still alive, as "pid: command line".
    static func livingWorkers(of server: FnAPIServer) -> [String] {
        workerPIDs(of: server).map { "\($0.pid): \($0.commandLine)" }
    }

    /// The process ids and command lines of the living workers of `server`.
    static func workerPIDs(of server: FnAPIServer) -> [(pid: Int, commandLine: String)] {
        let marker = "--provision_endpoint=\(server.endpoint) "
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = Int(entry), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return commandLine.contains(marker) ? (pid, commandLine) : nil
        }
    }

    /// A process's peak resident memory (VmHWM) in MB; "self" for this process.
    static func peakMemoryMB(of pid: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes / 1024
    }

    /// A batch of one nullable STRING column.
    static func strings(_ name: String, _ values: [String?]) throws -> RecordBatch {
        try RecordBatch(schema: ArrowSchema([ArrowField(name, .utf8)]), columns: [.utf8(values)])
    }
}

