import Foundation
import PyFnArrow
import PyFnRunner
import Synchronization

/// `DataStream.cache()`: a cached stream's records kept for later jobs, as one Arrow IPC stream file of the `value`
/// column (what a collection source reads), written by every subtask in turn. The program uses the file only once
/// the job has succeeded; a failed job's file is never read.
final class ArrowFileStreamSink: StreamSink {
    private struct Output {
        var writer: ArrowStreamWriter
        var handle: FileHandle?
    }

    private let output: Mutex<Output>

    init(path: String, schema: ArrowSchema) throws {
        let value = schema.fields.first { $0.name == DataStreamOperator.valueColumn } ?? schema.fields[0]
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw DataStreamError("the cache of a DataStream cannot create \(path)")
        }
        output = Mutex(Output(writer: ArrowStreamWriter(schema: ArrowSchema([value])), handle: handle))
    }

    func write(_ batch: RecordBatch, subtask: Int, parallelism: Int) async throws {
        guard let values = batch.column(named: DataStreamOperator.valueColumn) else { return }
        try output.withLock { output in
            try output.writer.write(try RecordBatch(schema: output.writer.schema, columns: [values]))
            try output.handle?.write(contentsOf: output.writer.drain())
        }
    }

    func close() async throws {
        try output.withLock { output in
            guard let handle = output.handle else { return }
            output.handle = nil
            try handle.write(contentsOf: output.writer.finish())
            try handle.close()
        }
    }
}
