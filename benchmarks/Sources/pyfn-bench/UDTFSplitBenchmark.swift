import Foundation
import PyFnArrow
import PyFnRunner

/// A table function yielding 2 rows per input over 2,000,000 16-character strings through a TableFunctionOperator,
/// beside a plain-Python loop over the same generator; rates are input rows per second.
func runUDTFSplitBenchmark() async throws {
    let rows = benchmarkRows(default: 2_000_000)
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    let schema = ArrowSchema([ArrowField("s", .utf8)])
    let batches = try stride(from: 0, to: rows, by: 100_000).map { first in
        try RecordBatch(schema: schema, columns: [.utf8((first..<min(first + 100_000, rows)).map { _ in
            String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
        })])
    }
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    bundle.arrowBatchSize = 100_000
    let split = PythonFunction.reference("bench_udfs.split", kind: .table, returns: .row([SQLField("w", .string)]))
    let run = try await OperatorRun.measure(over: batches, bundle: bundle) { environment, bundle, python in
        try TableFunctionOperator(call: FunctionCall(split, [.column(0)]), inputSchema: schema, forwardedColumns: [],
                                  environment: environment, bundle: bundle, python: python)
    }
    guard run.outputRows == 2 * rows else { throw BenchmarkError("expected \(2 * rows) rows, got \(run.outputRows)") }
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/udtf_split_baseline.py", [String(rows)]))
    run.report("udtf_split", rows: rows, baseline: python)
}
