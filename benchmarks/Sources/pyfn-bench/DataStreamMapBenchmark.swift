import Foundation
import PyFnArrow
import PyFnRunner

/// `map(lambda x: x + 1, output_type=Types.LONG())` over 10,000,000 LONG records through a DataStreamOperator and
/// a process-mode worker, beside the same lambda in plain Python (`list(map(f, values))`); the untyped run (no
/// output type: records pickled one per row) on the line before. The chains are what pyfn.datastream ships.
func runDataStreamMapBenchmark() async throws {
    let rows = benchmarkRows(default: 10_000_000)
    var bundle = BundleOptions()
    bundle.bundleSize = 100_000
    let typedInput = try longBatches(rows: rows, batchRows: 100_000)
    let untypedRows = benchmarkSetting("PYFN_BENCH_PICKLED_ROWS", default: rows / 5)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pyfn-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let pickledPath = folder.appendingPathComponent("pickled.arrows").path
    _ = try runPython("benchmarks/python/datastream_pickled_input.py", [String(untypedRows), "100000", pickledPath])
    let untypedInput = try ArrowStreamReader.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: pickledPath)))).1

    func measure(_ kind: String, _ batches: [RecordBatch], valueType: ArrowType,
                 onOutput: (RecordBatch) -> Void = { _ in }) async throws -> OperatorRun {
        let encoded = try runPython("benchmarks/python/datastream_map_chain.py", [kind]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let chain = Data(base64Encoded: encoded) else { throw BenchmarkError("no chain from datastream_map_chain.py") }
        let output = ArrowSchema([ArrowField(DataStreamOperator.valueColumn, valueType)])
        return try await OperatorRun.measure(over: batches, bundle: bundle, onOutput: onOutput) { environment, bundle, python in
            try DataStreamOperator(name: "add_one", chain: chain, inputSchema: batches[0].schema, outputSchema: output, keyed: false,
                                   environment: environment, bundle: bundle, python: python)
        }
    }
    let untyped = try await measure("pickled", untypedInput, valueType: .binary)
    guard untyped.outputRows == untypedRows else { throw BenchmarkError("expected \(untypedRows) pickled records, got \(untyped.outputRows)") }
    print(String(format: "untyped (pickled records): %.2f M records/s over %d records", Double(untypedRows) / untyped.elapsedSeconds / 1e6, untypedRows))
    var total: Int64 = 0
    let typed = try await measure("typed", typedInput, valueType: .int64) { batch in
        batch.columns[0].withValues(as: Int64.self) { values in total = values.reduce(total, &+) }
    }
    let expected = Int64(rows) * Int64(rows - 1) / 2 + Int64(rows)
    guard typed.outputRows == rows, total == expected else {
        throw BenchmarkError("expected \(rows) records x + 1 summing to \(expected), got \(typed.outputRows) summing to \(total)")
    }
    let python = try reading("rows_per_second", in: runPython("benchmarks/python/datastream_map_baseline.py", [String(rows)]))
    typed.report("datastream_map", rows: rows, baseline: python, unit: "records/s")
}

/// Batches of one LONG `value` column (0, 1, 2, …), `batchRows` rows each.
func longBatches(rows: Int, batchRows: Int) throws -> [RecordBatch] {
    let schema = ArrowSchema([ArrowField(DataStreamOperator.valueColumn, .int64, nullable: false)])
    return try stride(from: 0, to: rows, by: batchRows).map { first in
        try RecordBatch(schema: schema, columns: [.int64((first..<min(first + batchRows, rows)).map { Int64($0) })])
    }
}
