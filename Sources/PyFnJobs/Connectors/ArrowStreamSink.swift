// The sink of a collect query: its rows as one Arrow IPC stream on a file descriptor (`pyfn submit`'s stdout).
import Foundation
import PyFnArrow
import PyFnRunner

/// Writes a query's rows as one Arrow IPC stream to a file descriptor, batch by batch as they are produced.
///
/// Memory stays bounded: each batch is encoded and written with blocking `write(2)` calls before the next one is
/// taken, so a reader that falls behind (a full pipe) holds the job back instead of the rows piling up here.
///
/// With `changelog` (streaming mode) and an upsert key (a grouped query), the stream's first column is
/// `__row_kind` (int8, PyFlink's `RowKind`: 0 `+I`, 1 `-U`, 2 `+U`, 3 `-D`): a key's first row is `+I`, a later
/// row for the same key is `-U` of the row it replaces followed by `+U` of the new one (the last row of each key
/// is kept for that). Without a key, or in batch mode, the stream holds the query's columns only.
///
/// The end-of-stream marker is written by ``finish()``, only when the whole job has succeeded: a failed job
/// leaves the stream without it, so a reader cannot mistake a partial result for a complete one.
public actor ArrowStreamSink: DeletingSink {
    /// The name of the row-kind column of a changelog stream.
    public static let rowKindColumn = "__row_kind"

    private let descriptor: Int32
    /// Whether the sink writes a changelog (streaming mode: `__row_kind` on grouped queries).
    nonisolated let changelog: Bool
    private var writer: ArrowStreamWriter?
    private var upsertKey: [Int]?
    private var latestRowByKey: [[ArrowValue]: [ArrowValue]] = [:]

    /// A sink writing to `descriptor` (not closed by the sink); `changelog` asks for `__row_kind` on grouped
    /// queries.
    public init(descriptor: Int32, changelog: Bool) {
        self.descriptor = descriptor
        self.changelog = changelog
    }

    /// Writes the stream's schema message.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        self.upsertKey = changelog ? upsertKey : nil
        let streamSchema = self.upsertKey == nil ? schema
            : ArrowSchema([ArrowField(Self.rowKindColumn, .int8, nullable: false)] + schema.fields)
        var writer = ArrowStreamWriter(schema: streamSchema)
        try send(writer.drain())
        self.writer = writer
    }

    /// Encodes and writes the batch (with its row kinds in changelog mode); returns once it is written.
    public func write(_ batch: RecordBatch) async throws {
        guard var writer else { throw ConnectorError("collect: write before open") }
        try writer.write(try upsertKey.map { try changes(batch, key: $0, schema: writer.schema) } ?? batch)
        try send(writer.drain())
        self.writer = writer
    }

    /// Writes `-D` of the latest row of each key in `batch` (a changelog), which is then forgotten: the key's next
    /// row is an `+I`, as in Flink.
    public func delete(_ batch: RecordBatch) async throws {
        guard var writer, let upsertKey else { return }
        var rows = RowBatchBuilder(schema: writer.schema)
        for index in 0..<batch.length {
            let row = batch.row(index)
            if let previous = latestRowByKey.removeValue(forKey: upsertKey.map { row[$0] }) {
                try rows.append([.int(3)] + previous)
            }
        }
        try writer.write(rows.finish())
        try send(writer.drain())
        self.writer = writer
    }

    /// Nothing to release: the descriptor belongs to the caller, and the end of the stream waits for ``finish()``.
    public func close() async throws {}

    /// Writes the end-of-stream marker (after the job succeeded).
    public func finish() throws {
        guard var writer else { return }
        try send(writer.finish())
        self.writer = nil
    }

    /// The batch as changelog rows: `+I` for a new key, `-U` old + `+U` new for a key seen before.
    private func changes(_ batch: RecordBatch, key: [Int], schema: ArrowSchema) throws -> RecordBatch {
        var rows = RowBatchBuilder(schema: schema)
        for index in 0..<batch.length {
            let row = batch.row(index)
            let rowKey = key.map { row[$0] }
            if let previous = latestRowByKey[rowKey] {
                if previous == row { continue }
                try rows.append([.int(1)] + previous)
                try rows.append([.int(2)] + row)
            } else {
                try rows.append([.int(0)] + row)
            }
            latestRowByKey[rowKey] = row
        }
        return rows.finish()
    }

    /// Writes all of `bytes`, blocking while the pipe is full; a reader that went away is an error.
    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Foundation.write(descriptor, raw.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = errno == EPIPE ? "the program stopped reading the results" : String(cString: strerror(errno))
                throw ConnectorError("collect: cannot write the results: \(reason)")
            }
            offset += written
        }
    }
}
