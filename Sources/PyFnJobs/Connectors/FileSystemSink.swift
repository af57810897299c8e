import Foundation
import PyFnArrow
import PyFnRunner

/// Writes rows to a CSV or JSON Lines file (`'connector' = 'filesystem'`), exactly once.
///
/// Options: `'path'` (the file, relative to the job file's folder; missing parent folders are created) and
/// `'format'` (`csv` | `json`, see ``CSVFormat`` and ``JSONLinesFormat``).
///
/// Rows go to a hidden in-progress file next to `path` (``InProgressFile``), which is renamed into place when the
/// job finishes — and in a streaming job at every commit (`execution.checkpointing.interval`) — so `path` always
/// holds a complete output: the previous one until the job commits, then the new one. A failed or killed job leaves
/// `path` as it was; a rerun writes it whole. With an upsert key the file must only ever hold the latest row per
/// key, which a line file cannot update in place: the sink keeps the latest row of each key in memory (in the order
/// keys first appeared) and writes them all at each commit.
public actor FileSystemSink: CommittingSink {
    /// The resolved file path.
    public nonisolated let path: String
    private let columns: [SQLField]
    private let format: any LineFormat
    private var file: InProgressFile?
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

    /// A file is replaced whole by every run, so no earlier run's commit needs to be known.
    public func identify(_ job: SinkJobIdentity) async {}

    /// Always nil: a rerun rewrites the file whole.
    public func committedEarlier() async -> String? { nil }

    /// Creates the in-progress file; `path` is untouched until the first commit.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        guard schema.fields.count == columns.count else {
            throw ConnectorError("\(path): the query writes \(schema.fields.count) columns, the table has \(columns.count)")
        }
        self.upsertKey = upsertKey
        do {
            file = try InProgressFile(for: path)
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("\(path): cannot open for writing: \(error.localizedDescription)")
        }
    }

    /// Appends the rows to the in-progress file, or (with an upsert key) keeps them as the latest rows of their keys.
    public func write(_ batch: RecordBatch) async throws {
        guard let file else { throw ConnectorError("\(path): write before open") }
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
        try append((0..<batch.length).map { batch.row($0) }, to: file)
    }

    /// Puts the rows so far in place at `path`, keeping the in-progress file for more.
    public func commit() async throws {
        guard let file else { return }
        try writeLatestRows(to: file)
        do { try file.publishCopy() } catch let error as ConnectorError { throw error } catch {
            throw ConnectorError("\(path): commit failed: \(error.localizedDescription)")
        }
    }

    /// Writes the latest rows (upserts) and moves the in-progress file into place.
    public func close() async throws {
        guard let file else { return }
        self.file = nil
        do {
            try writeLatestRows(to: file)
            try file.publish()
        } catch let error as ConnectorError {
            file.discard()
            throw error
        } catch {
            file.discard()
            throw ConnectorError("\(path): close failed: \(error.localizedDescription)")
        }
    }

    /// Removes the in-progress file; `path` keeps its last committed content (or stays absent).
    public func abort() async {
        file?.discard()
        file = nil
    }

    /// With an upsert key, replaces the in-progress file's content with the latest row of every key.
    private func writeLatestRows(to file: InProgressFile) throws {
        guard upsertKey != nil else { return }
        do { try file.truncate() } catch { throw ConnectorError("\(path): write failed: \(error.localizedDescription)") }
        try append(latestRows, to: file)
    }

    private func append(_ rows: [[ArrowValue]], to file: InProgressFile) throws {
        guard !rows.isEmpty else { return }
        var text = ""
        for row in rows {
            text += format.encode(row)
            text += "\n"
        }
        do { try file.append(Data(text.utf8)) } catch {
            throw ConnectorError("\(path): write failed: \(error.localizedDescription)")
        }
    }
}
