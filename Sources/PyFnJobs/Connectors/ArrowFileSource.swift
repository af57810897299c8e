// The `arrow` source connector: a table read from an Arrow IPC stream file (how `from_elements` / `from_pandas`
// hand Python data to the runner).
import Foundation
import PyFnArrow
import PyFnRunner

/// Reads an Arrow IPC *stream* file, as `pyarrow.ipc.new_stream` writes it (`'connector' = 'arrow'`).
///
/// Options: `'path'` (the file, relative to the job's folder). The file's columns must be the declared columns in
/// order, each with the Arrow type PyFn gives its SQL type (docs/wire-contract.md: BIGINT int64, STRING utf8, BYTES
/// binary, DECIMAL(p, s) decimal128(p, s), DATE date32, TIME time64[us], TIMESTAMP timestamp[us] without a zone,
/// ARRAY list, MAP map, ROW struct); names of the file's fields are not compared, types are, and a mismatch is an
/// error naming the column and both types. A NULL in a NOT NULL column is an error naming the column. The
/// source is bounded; the file is read piece by piece, so memory holds one record batch at a time.
public final class ArrowFileSource: TableSource {
    /// The table's columns as Arrow fields.
    public let schema: ArrowSchema
    /// The resolved file path.
    public let path: String
    private let tableName: String

    /// The source declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        schema = table.schema
        path = try options.path("path")
        tableName = table.name
        try options.checkNoneLeft()
    }

    /// Always bounded.
    public var isBounded: Bool { true }

    /// Never skips rows.
    public var skippedRows: Int { 0 }

    /// The file's rows in batches of at most `batchSize` rows (the file's batches, cut where they are larger).
    public func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        let reader = ArrowFileReader(path: path, tableName: tableName, schema: schema, batchSize: max(1, batchSize))
        return AsyncThrowingStream(unfolding: { try reader.next() })
    }
}

/// The state of one read of an Arrow stream file; used by one consumer at a time (the stream's unfolding).
private final class ArrowFileReader: @unchecked Sendable {
    private static let chunkSize = 1 << 20
    private let path: String
    private let tableName: String
    private let schema: ArrowSchema
    private let batchSize: Int
    private var handle: FileHandle?
    private var opened = false
    private var decoder = ArrowStreamReader()
    private var current: RecordBatch?
    private var offset = 0

    init(path: String, tableName: String, schema: ArrowSchema, batchSize: Int) {
        self.path = path
        self.tableName = tableName
        self.schema = schema
        self.batchSize = batchSize
    }

    /// The next slice of at most `batchSize` rows; nil at the end of the stream.
    func next() throws -> RecordBatch? {
        while true {
            if let current, offset < current.length {
                let end = min(current.length, offset + batchSize)
                defer { offset = end }
                return offset == 0 && end == current.length ? current : current.slice(offset..<end)
            }
            current = nil
            offset = 0
            guard let batch = try readBatch() else { return nil }
            current = try conformed(batch)
        }
    }

    private func readBatch() throws -> RecordBatch? {
        if !opened {
            opened = true
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ConnectorError("table '\(tableName)': \(path): cannot open the Arrow file")
            }
            self.handle = handle
        }
        while true {
            do {
                if let batch = try decoder.nextBatch() { return batch }
            } catch {
                throw ConnectorError("table '\(tableName)': \(path): not a readable Arrow IPC stream: \(error)")
            }
            if decoder.isFinished {
                try? handle?.close()
                handle = nil
                return nil
            }
            guard let handle else { return nil }
            // A whole message at once when its size is known: 1 MiB chunks appended to the pending bytes cost a
            // copy of every batch on each doubling of the buffer (with `memmove` and page faults 12 % of the runner's
            // time in `pyfn-bench pandas_udaf_window`). Read straight into the array the decoder keeps: a `Data`
            // in between cost another copy of the file.
            let chunk = try Self.read(upTo: max(Self.chunkSize, decoder.bytesAwaited), from: handle.fileDescriptor) { errorText in
                ConnectorError("table '\(tableName)': \(path): read failed: \(errorText)")
            }
            if chunk.isEmpty {
                try? handle.close()
                self.handle = nil
                throw ConnectorError("table '\(tableName)': \(path): the Arrow stream ends without its end-of-stream marker (truncated file?)")
            }
            decoder.append(chunk)
        }
    }

    /// Up to `count` bytes from `descriptor` (fewer only at the end of the file).
    private static func read(upTo count: Int, from descriptor: Int32, failure: (String) -> ConnectorError) throws -> [UInt8] {
        var error: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
            filled = 0
            while filled < count {
                let n = Foundation.read(descriptor, buffer.baseAddress! + filled, count - filled)
                if n > 0 {
                    filled += n
                } else if n == 0 {
                    break
                } else if errno != EINTR {
                    error = errno
                    break
                }
            }
        }
        if error != 0 { throw failure(String(cString: strerror(error))) }
        return bytes
    }

    /// The batch under the table's schema; throws when a column's type differs or a NOT NULL column holds NULLs.
    private func conformed(_ batch: RecordBatch) throws -> RecordBatch {
        guard batch.columns.count == schema.fields.count else {
            throw ConnectorError("table '\(tableName)': \(path) has \(batch.columns.count) columns, the table declares \(schema.fields.count) (\(schema.fields.map(\.name).joined(separator: ", ")))")
        }
        var columns: [ArrowArray] = []
        for (index, (field, column)) in zip(schema.fields, batch.columns).enumerated() {
            guard Self.sameShape(column.type, field.type) else {
                throw ConnectorError("table '\(tableName)': column \(index + 1) ('\(field.name)') is Arrow \(field.type) in the table but \(column.type) in \(path)")
            }
            guard field.nullable || column.nullCount == 0 else {
                throw ConnectorError("table '\(tableName)': column '\(field.name)' is NOT NULL but \(path) holds \(column.nullCount) NULLs in it")
            }
            columns.append(column.type == field.type ? column : column.retyped(field.type))
        }
        return try RecordBatch(schema: schema, columns: columns, length: batch.length)
    }

    /// Equal types, ignoring the names and nullability of nested fields (pyarrow names a list's item `item` and a
    /// map's entries `entries`/`key`/`value`, as PyFn does, but nullability of children varies).
    static func sameShape(_ a: ArrowType, _ b: ArrowType) -> Bool {
        switch (a, b) {
        case (.list(let x), .list(let y)): return sameShape(x.type, y.type)
        case (.map(let x, _), .map(let y, _)): return sameShape(x.type, y.type)
        case (.struct(let xs), .struct(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { $0.name == $1.name && sameShape($0.type, $1.type) }
        default: return a == b
        }
    }
}
