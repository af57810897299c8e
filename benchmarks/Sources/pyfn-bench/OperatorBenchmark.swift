import Foundation
import PyFnArrow
import PyFnRunner

/// One operator fed batches as fast as it takes them, through a fresh server and a process-mode worker (or the
/// embedded interpreter) running the functions of benchmarks/python: how long the rows took from the first batch to
/// the last output (worker start-up excluded), how many rows came out, and the peak memory of runner and worker.
struct OperatorRun {
    var elapsedSeconds: Double
    var outputRows: Int
    var memory: (runner: Double, worker: Double)

    /// Runs the operator `make` builds over `batches`, with a process-mode worker unless `embedded`; `onOutput`
    /// sees each output batch (for checking results).
    /// `python` with `harness = .pyflink` runs PyFlink's own worker.
    static func measure(over batches: [RecordBatch], bundle: BundleOptions, embedded: Bool = false,
                        python: PythonOptions = benchmarkPythonOptions(),
                        onOutput: (RecordBatch) -> Void = { _ in },
                        _ make: (any WorkerEnvironment, BundleOptions, PythonOptions) throws -> PythonFunctionOperator) async throws -> OperatorRun {
        let server = try await FnAPIServer.start()
        let environment: any WorkerEnvironment
        if embedded {
            environment = EmbeddedEnvironment(options: python)
        } else if python.harness == .pyflink {
            environment = PyFlinkEnvironment(server: server, options: python)
        } else {
            environment = ProcessEnvironment(server: server, options: python)
        }
        let op = try make(environment, bundle, python)
        try await op.open()
        var outputRows = 0
        let elapsed = try await seconds {
            for batch in batches {
                for out in try await op.process(batch) {
                    outputRows += out.length
                    onOutput(out)
                }
            }
            for out in try await op.finish() {
                outputRows += out.length
                onOutput(out)
            }
        }
        await op.close()
        await server.shutdown()
        return OperatorRun(elapsedSeconds: elapsed, outputRows: outputRows, memory: peakMemoryMB())
    }

    /// Prints the run's figures and the benchmark's last line, `NAME: pyfn R rows/s, python P rows/s, ratio R/P`.
    func report(_ name: String, rows: Int, baseline: Double, unit: String = "rows/s") {
        let rate = Double(rows) / elapsedSeconds
        print(String(format: "pyfn: %d input rows in %.2f s (%d output rows); peak RSS runner %.0f MB, worker %.0f MB",
                     rows, elapsedSeconds, outputRows, memory.runner, memory.worker))
        print(String(format: "%@: pyfn %.2f M %@, python %.2f M %@, ratio %.2f", name, rate / 1e6, unit, baseline / 1e6, unit, rate / baseline))
    }
}

/// Batches of two BIGINT columns `a` (1, 2, 3, …) and `b` (a pseudo-random spread), `batchRows` rows each.
func bigintPairs(rows: Int, batchRows: Int) throws -> [RecordBatch] {
    let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)])
    return try stride(from: 0, to: rows, by: batchRows).map { first in
        let range = first..<min(first + batchRows, rows)
        return try RecordBatch(schema: schema, columns: [.int64(range.map { Int64($0 + 1) }),
                                                         .int64(range.map { Int64(($0 * 7919) % 1_000_003) })])
    }
}

/// The row count a benchmark runs over: `PYFN_BENCH_ROWS`, else `defaultRows`.
func benchmarkRows(default defaultRows: Int) -> Int {
    benchmarkSetting("PYFN_BENCH_ROWS", default: defaultRows)
}

/// A whole-number knob of a benchmark from the environment, else its default.
func benchmarkSetting(_ name: String, default value: Int) -> Int {
    Int(ProcessInfo.processInfo.environment[name] ?? "") ?? value
}

/// Workers run the project's Python with benchmarks/python on their path.
func benchmarkPythonOptions() -> PythonOptions {
    var python = PythonOptions()
    python.executable = benchmarkPython
    python.files = [repositoryRoot.appendingPathComponent("benchmarks/python").path]
    return python
}
