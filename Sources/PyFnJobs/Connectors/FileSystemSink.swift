import Foundation
import PyFnArrow
import PyFnRunner

/// Writes rows to a CSV or JSON Lines file (`'connector' = 'filesystem'`).
///
/// Options: `'path'` (the file, relative to the job file's folder; missing parent folders are created) and
/// `'format'` (`csv` | `json`, see ``CSVFormat`` and ``JSONLinesFormat``). The file is replaced when the sink opens.
///
/// Insert-only rows are appended to the file as each batch arrives. With an upsert key the file must only ever
/// hold the latest row per key, which a line file cannot update in place: the sink keeps the latest row of each key
/// in memory (in the order keys first appeared) and writes the file once, when it closes.
public actor FileSystemSink: TableSink {
    /// The resolved file path.
    public nonisolated let path: String
    private let columns: [SQLField]
    private let format: any LineFormat
    private var handle: FileHandle?
    private var upsertKey: [Int]?
    private var latestRows: [[ArrowValue]] = []
    private var rowIndexByKey: [[ArrowValue]: Int] = [:]

    /// The sink declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        path = try options.path("path")
        columns = table.columns
        format = try LineFormatSettings(options).format
        try options.checkNoneLeft()
    }

    /// Creates (or empties) the file.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        guard schema.fields.count == columns.count else {
            throw ConnectorError("\(path): the query writes \(schema.fields.count) columns, the table has \(columns.count)")
        }
        self.upsertKey = upsertKey
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ConnectorError("\(path): cannot create the file")
            }
            handle = try FileHandle(forWritingTo: url)
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("\(path): cannot open for writing: \(error.localizedDescription)")
        }
    }

    /// Appends the rows, or (with an upsert key) keeps them as the latest rows of their keys.
    public func write(_ batch: RecordBatch) async throws {
        guard let handle else { throw ConnectorError("\(path): write before open") }
        if let upsertKey {
            for i in 0..<batch.length {
                let row = batch.row(i)
                let key = upsertKey.map { row[$0] }
                if let index = rowIndexByKey[key] {
                    latestRows[index] = row
                } else {
                    rowIndexByKey[key] = latestRows.count
                    latestRows.append(row)
                }
            }
            return
        }
        try append((0..<batch.length).map { batch.row($0) }, to: handle)
    }

    /// Writes the latest rows (upserts) and closes the file.
    public func close() async throws {
        guard let handle else { return }
        self.handle = nil
        if upsertKey != nil { try append(latestRows, to: handle) }
        do { try handle.close() } catch { throw ConnectorError("\(path): close failed: \(error.localizedDescription)") }
    }

    private func append(_ rows: [[ArrowValue]], to handle: FileHandle) throws {
        guard !rows.isEmpty else { return }
        var text = ""
        for row in rows {
            text += format.encode(row)
            text += "\n"
        }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ConnectorError("\(path): write failed: \(error.localizedDescription)")
        }
    }
}
