import Foundation
import PyFnArrow

/// Writes and reads a 1,000,000-row batch (BIGINT, DOUBLE, 16-byte STRING) as an Arrow IPC stream,
/// then has pyarrow do the same (benchmarks/python/arrow_ipc.py). Throughput is stream bytes over the
/// median of several runs. The last line printed is
/// `arrow_ipc: write W GB/s, read R GB/s, pyarrow write PW GB/s, read PR GB/s`.
func runArrowIPCBenchmark() throws {
    let rows = 1_000_000
    let runs = 7
    let schema = ArrowSchema([ArrowField("id", .int64), ArrowField("value", .float64), ArrowField("name", .utf8)])
    let batch = try RecordBatch(schema: schema, columns: [
        .int64((0 ..< rows).map { Int64($0) }),
        .float64((0 ..< rows).map { Double($0) * 0.5 }),
        .utf8((0 ..< rows).map { "name-" + String(repeating: "0", count: 11 - String($0).count) + String($0) }),
    ])
    let (write, read, bytes) = try measureIPC(batch, runs: runs)
    print("arrow_ipc swift: \(rows) rows, \(bytes) stream bytes, write \(format(write)) GB/s, read \(format(read)) GB/s "
          + "(median of \(runs))")

    var perColumn: [String] = []
    for (k, field) in schema.fields.enumerated() where field.type.byteWidth != nil {
        let single = try RecordBatch(schema: ArrowSchema([field]), columns: [batch.columns[k]])
        let (w, r, _) = try measureIPC(single, runs: runs)
        perColumn.append("\(field.name) (\(field.type)) write \(format(w)) GB/s, read \(format(r)) GB/s")
    }
    print("arrow_ipc fixed-width columns: " + perColumn.joined(separator: "; "))

    let python = try runPyArrowHalf(rows: rows, runs: runs)
    print("arrow_ipc: write \(format(write)) GB/s, read \(format(read)) GB/s, "
          + "pyarrow write \(format(python.write)) GB/s, read \(format(python.read)) GB/s")
}

/// Median write and read throughput (GB/s) of `batch` as a one-batch stream, and the stream size.
private func measureIPC(_ batch: RecordBatch, runs: Int) throws -> (write: Double, read: Double, bytes: Int) {
    let stream = try ArrowStreamWriter.encode([batch], schema: batch.schema)
    let (_, decoded) = try ArrowStreamReader.decode(stream)
    guard decoded.first?.length == batch.length else { throw BenchmarkError("the stream did not read back") }
    let write = try medianSeconds(runs) { _ = try ArrowStreamWriter.encode([batch], schema: batch.schema) }
    let read = try medianSeconds(runs) { _ = try ArrowStreamReader.decode(stream) }
    return (Double(stream.count) / write / 1e9, Double(stream.count) / read / 1e9, stream.count)
}

private func medianSeconds(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var seconds: [Double] = []
    for _ in 0 ..< runs {
        let elapsed = try clock.measure(body)
        seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return seconds.sorted()[runs / 2]
}

/// Runs benchmarks/python/arrow_ipc.py, pyarrow doing the same work; its last line is a JSON object of GB/s.
private func runPyArrowHalf(rows: Int, runs: Int) throws -> (write: Double, read: Double) {
    let output = try runPython("benchmarks/python/arrow_ipc.py", ["\(rows)", "\(runs)"])
    guard let line = output.split(separator: "\n").last,
          let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let write = json["write_gbps"] as? Double, let read = json["read_gbps"] as? Double else {
        throw BenchmarkError("benchmarks/python/arrow_ipc.py printed no figures: \(output)")
    }
    return (write, read)
}

private func format(_ gigabytesPerSecond: Double) -> String { String(format: "%.2f", gigabytesPerSecond) }
