import Foundation
import PyFnArrow
import PyFnRunner
import Synchronization

/// A sink node's destination, shared by its subtasks.
protocol StreamSink: Sendable {
    /// Takes one batch of records (a `value` column) from subtask `subtask` of `parallelism`.
    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws
    /// Ends the output once every subtask is done.
    func close() async throws
}

/// Where a DataStream job's outputs go: print lines, and the collect stream.
public struct StreamOutputs: Sendable {
    /// Receives each line a print sink makes (without its line break).
    public var printLine: @Sendable (String) -> Void
    /// Receives the bytes of the collect stream (an Arrow IPC stream), in order.
    public var collect: @Sendable ([UInt8]) throws -> Void

    /// Outputs to the given functions.
    public init(printLine: @escaping @Sendable (String) -> Void, collect: @escaping @Sendable ([UInt8]) throws -> Void) {
        self.printLine = printLine
        self.collect = collect
    }
}

/// The sink a node's spec asks for.
func makeStreamSink(_ node: StreamNode, inputSchema: ArrowSchema, outputs: StreamOutputs, baseDirectory: String) throws -> any StreamSink {
    guard let spec = node.sink else { throw DataStreamError("sink node '\(node.name)' says nothing of where records go", node) }
    switch spec.type {
    case "print":
        return PrintStreamSink(identifier: spec.identifier, output: outputs.printLine)
    case "collect":
        return CollectStreamSink(schema: inputSchema, output: outputs.collect)
    case "file":
        guard let path = spec.path else { throw DataStreamError("file sink '\(node.name)' has no 'path'", node) }
        let folder = path.hasPrefix("/") ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
        return try FileStreamSink(folder: folder, prefix: spec.partPrefix ?? "part", suffix: spec.partSuffix ?? "")
    case "arrow_file":
        guard let path = spec.path else { throw DataStreamError("cache sink '\(node.name)' has no 'path'", node) }
        return try ArrowFileStreamSink(path: path, schema: inputSchema)
    case "table":
        guard let table = spec.table, let columns = spec.columns,
              let value = inputSchema.fields.first(where: { $0.name == DataStreamOperator.valueColumn }) else {
            throw DataStreamError("table sink '\(node.name)' needs 'table', 'columns' and a typed input", node)
        }
        do {
            return try TableStreamSink(name: table, columns: columns, options: spec.options ?? [:], valueField: value,
                                       baseDirectory: baseDirectory)
        } catch let error as ConnectorError {
            throw DataStreamError("sink '\(node.name)': \(error.message)", node)
        }
    default:
        throw DataStreamError("sink '\(node.name)' has unknown type '\(spec.type)' (known: print, collect, file, arrow_file, table)", node)
    }
}

/// The text of each record of a batch: its `value` column, which is a string column (the program formats records
/// for printing and text files as PyFlink does, in Python, before they reach a print or file sink).
func recordLines(_ batch: RecordBatch) throws -> [String] {
    guard let values = batch.column(named: DataStreamOperator.valueColumn), values.type == .utf8 else {
        throw PyFnError.protocolViolation("a print or file sink takes a utf8 'value' column")
    }
    return (0..<values.length).map { values.string(at: $0) ?? "null" }
}

/// `print()`: each record on its own line; with parallelism above 1 prefixed by the subtask (`2> `), and by the
/// identifier when one was given (`id:2> `, or `id> ` at parallelism 1), as Flink's PrintSinkFunction does.
struct PrintStreamSink: StreamSink {
    let identifier: String?
    let output: @Sendable (String) -> Void

    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws {
        let prefix: String
        switch (identifier, parallelism > 1) {
        case (let id?, true): prefix = "\(id):\(subtask + 1)> "
        case (let id?, false): prefix = "\(id)> "
        case (nil, true): prefix = "\(subtask + 1)> "
        case (nil, false): prefix = ""
        }
        for line in try recordLines(batch) { output(prefix + line) }
    }

    func close() async throws {}
}

/// `execute_and_collect()`: the records as one Arrow IPC stream of the `value` column, batches as they come.
final class CollectStreamSink: StreamSink {
    private let writer: Mutex<ArrowStreamWriter>
    private let output: @Sendable ([UInt8]) throws -> Void

    init(schema: ArrowSchema, output: @escaping @Sendable ([UInt8]) throws -> Void) {
        let value = schema.fields.first { $0.name == DataStreamOperator.valueColumn } ?? schema.fields[0]
        self.writer = Mutex(ArrowStreamWriter(schema: ArrowSchema([value])))
        self.output = output
    }

    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws {
        guard let values = batch.column(named: DataStreamOperator.valueColumn) else { return }
        try writer.withLock { writer in
            try writer.write(try RecordBatch(schema: writer.schema, columns: [values]))
            try output(writer.drain())
        }
    }

    func close() async throws {
        try writer.withLock { writer in try output(writer.finish()) }
    }
}

/// `sink_to(FileSink.for_row_format(path, Encoder.simple_string_encoder()))`: each record a line, in part files
/// `<prefix>-<job uuid>-<subtask>-0<suffix>` under a bucket folder named after the hour (`yyyy-MM-dd--HH`, Flink's
/// DateTimeBucketAssigner), written as they come and complete when the job ends.
final class FileStreamSink: StreamSink {
    private let bucket: String
    private let prefix: String
    private let suffix: String
    private let run = UUID().uuidString.lowercased()
    private let handles = Mutex<[Int: FileHandle]>([:])

    init(folder: String, prefix: String, suffix: String) throws {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd--HH"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        bucket = URL(fileURLWithPath: folder).appendingPathComponent(formatter.string(from: Date())).path
        self.prefix = prefix
        self.suffix = suffix
        try FileManager.default.createDirectory(atPath: bucket, withIntermediateDirectories: true)
    }

    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws {
        let text = try recordLines(batch).map { $0 + "\n" }.joined()
        try handles.withLock { handles in
            if handles[subtask] == nil {
                let path = URL(fileURLWithPath: bucket).appendingPathComponent("\(prefix)-\(run)-\(subtask)-0\(suffix)").path
                guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                    throw DataStreamError("the file sink cannot create \(path)")
                }
                handles[subtask] = handle
            }
            try handles[subtask]!.write(contentsOf: Data(text.utf8))
        }
    }

    func close() async throws {
        try handles.withLock { handles in
            for handle in handles.values { try handle.close() }
            handles = [:]
        }
    }
}
