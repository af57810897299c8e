import PyFnArrow
import PyFnRunner

/// The SQL the database sinks (SQLite, PostgreSQL) send: `CREATE TABLE IF NOT EXISTS` and a multi-row `INSERT`,
/// which with a key is an upsert (`ON CONFLICT (key) DO UPDATE SET c = excluded.c`, the same syntax in both).
struct SQLTableStatements: Sendable {
    /// The table, possibly schema-qualified (`public.orders`).
    let tableName: String
    let columns: [SQLField]
    /// The key columns' indices, nil for plain inserts.
    let key: [Int]?
    /// The database's name for a column type (without NOT NULL).
    let columnType: @Sendable (SQLType) -> String

    /// The statements of a database sink whose `table` receives rows of `schema`, upserting by `upsertKey` (else
    /// the declared PRIMARY KEY); throws `failure(reason)` when the query writes another number of columns.
    static func forSink(table: TableDefinition, tableName: String, schema: ArrowSchema, upsertKey: [Int]?,
                        columnType: @escaping @Sendable (SQLType) -> String,
                        failure: (String) -> ConnectorError) throws -> SQLTableStatements {
        guard schema.fields.count == table.columns.count else {
            throw failure("the query writes \(schema.fields.count) columns, the table has \(table.columns.count)")
        }
        return SQLTableStatements(tableName: tableName, columns: table.columns,
                                  key: try key(upsertKey: upsertKey, table: table), columnType: columnType)
    }

    /// The key a sink upserts by: the query's upsert key, else the table's declared PRIMARY KEY, else none.
    static func key(upsertKey: [Int]?, table: TableDefinition) throws -> [Int]? {
        if let upsertKey { return upsertKey }
        guard !table.primaryKey.isEmpty else { return nil }
        return try table.primaryKey.map { name in
            guard let index = table.columns.firstIndex(where: { $0.name == name }) else {
                throw ConnectorError("table '\(table.name)': primary key column '\(name)' is not a column")
            }
            return index
        }
    }

    /// `"name"` with inner quotes doubled; a dotted table name is quoted part by part.
    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    var quotedTable: String { tableName.split(separator: ".").map { Self.quote(String($0)) }.joined(separator: ".") }

    /// `CREATE TABLE IF NOT EXISTS t ("a" TYPE [NOT NULL], …[, PRIMARY KEY ("k")])`.
    var createTable: String {
        var parts = columns.map { Self.quote($0.name) + " " + columnType($0.type) + ($0.type.nullable ? "" : " NOT NULL") }
        if let key, !key.isEmpty { parts.append("PRIMARY KEY (" + key.map { Self.quote(columns[$0].name) }.joined(separator: ", ") + ")") }
        return "CREATE TABLE IF NOT EXISTS \(quotedTable) (" + parts.joined(separator: ", ") + ")"
    }

    /// An insert (or upsert) of `rows` rows; `placeholder(i, column)` spells parameter `i` (0-based) of `column`.
    func insert(rows: Int, placeholder: (Int, SQLField) -> String) -> String {
        var sql = "INSERT INTO \(quotedTable) (" + columns.map { Self.quote($0.name) }.joined(separator: ", ") + ") VALUES "
        var parameter = 0
        for row in 0..<rows {
            if row > 0 { sql += ", " }
            sql += "(" + columns.map { column in
                defer { parameter += 1 }
                return placeholder(parameter, column)
            }.joined(separator: ", ") + ")"
        }
        if let key, !key.isEmpty {
            let keyNames = key.map { Self.quote(columns[$0].name) }
            let others = columns.indices.filter { !key.contains($0) }.map { Self.quote(columns[$0].name) }
            sql += " ON CONFLICT (" + keyNames.joined(separator: ", ") + ") DO "
            sql += others.isEmpty ? "NOTHING" : "UPDATE SET " + others.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        }
        return sql
    }

    /// The rows of `batch`, keeping only the last row of each key when there is a key (one statement may not
    /// update a row twice).
    func latestRows(of batch: RecordBatch) -> [[ArrowValue]] {
        let rows = (0..<batch.length).map { batch.row($0) }
        guard let key, !key.isEmpty else { return rows }
        var indexByKey: [[ArrowValue]: Int] = [:]
        var latest: [[ArrowValue]] = []
        for row in rows {
            let values = key.map { row[$0] }
            if let index = indexByKey[values] { latest[index] = row } else {
                indexByKey[values] = latest.count
                latest.append(row)
            }
        }
        return latest
    }

    /// The text a database stores for a value it has no native form for: scalars in ``TextValueCodec`` form,
    /// ARRAY, MAP and ROW values as JSON (``JSONLinesFormat``).
    static func text(_ value: ArrowValue, as type: SQLType) -> String? {
        if type.isNested { return value.isNull ? nil : JSONLinesFormat.json(value, as: type).serialized }
        return TextValueCodec.format(value, as: type)
    }
}
