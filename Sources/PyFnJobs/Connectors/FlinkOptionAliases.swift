// Flink's other spellings of connector options — the legacy descriptor keys of Flink 1.10/1.11
// ('connector.type' = 'filesystem', 'format.type' = 'csv', …) and the JDBC connector's options — rewritten into
// the options PyFn's connectors read, before a connector is built.

/// Rewrites a table's options from Flink's legacy keys and JDBC URLs to PyFn's connector options.
///
/// | Flink writes | PyFn reads |
/// |---|---|
/// | `'connector.type' = 'filesystem'`, `'connector.path'` | `'connector' = 'filesystem'`, `'path'` |
/// | `'format.type' = 'csv' \| 'json'` | `'format'` |
/// | `'format.field-delimiter'`, `'format.quote-character'`, `'format.null-literal'` | `'csv.…'` of the same name |
/// | `'format.ignore-first-line' = 'true'` | `'csv.skip-header' = 'true'` |
/// | `'format.fields.N.name'` / `'.type'` / `'.data-type'`, `'format.schema'` | checked against the columns, then dropped |
/// | `'format.derive-schema'`, `'*.property-version'`, `'update-mode'`, `'format.line-delimiter' = '\n'` | dropped (PyFn's behaviour already) |
/// | `'connector.type' = 'jdbc'`, `'connector.url'`, `'connector.table'`, `'connector.username'`, `'connector.password'`, `'connector.driver'` | `'connector' = 'jdbc'`, `'url'`, `'table-name'`, `'username'`, `'password'`, `'driver'` |
/// | `'connector' = 'jdbc'`, `'url' = 'jdbc:postgresql://host[:port]/db'` | PostgreSQL (``PostgresSink``) |
/// | `'connector' = 'jdbc'`, `'url' = 'jdbc:sqlite:path'` | `'connector' = 'sqlite'`, `'path'` (`'username'`/`'password'` dropped: SQLite has none) |
/// | JDBC tuning: `'driver'` (checked against the URL), `'sink.buffer-flush.*'`, `'sink.max-retries'`, `'scan.fetch-size'`, legacy `'connector.write.flush.*'`, `'connector.write.max-retries'`, `'connector.read.fetch-size'` | dropped: each batch is one transaction, rows are read in one query |
///
/// Any other key is left as it is, so the connector still rejects it by name.
enum FlinkOptionAliases {
    /// `table` with its options in PyFn's spelling; throws ``ConnectorError`` for a legacy value PyFn cannot honour
    /// (a format schema that contradicts the columns, a line delimiter other than `\n`, a JDBC URL of another
    /// database, a driver that does not match the URL).
    static func normalized(_ table: TableDefinition) throws -> TableDefinition {
        var options = table.options
        let fail = { (message: String) in ConnectorError("table '\(table.name)': \(message)") }
        try move("connector.type", to: "connector", in: &options, fail: fail)
        for key in ["connector.property-version", "format.property-version", "format.derive-schema"] { options[key] = nil }
        if let mode = options.removeValue(forKey: "update-mode"), !["append", "upsert", "retract"].contains(mode.lowercased()) {
            throw fail("'update-mode' must be 'append', 'upsert' or 'retract', not '\(mode)'")
        }
        switch options["connector"]?.lowercased() {
        case "filesystem":
            try move("connector.path", to: "path", in: &options, fail: fail)
            try normalizeLegacyFormat(&options, table: table, fail: fail)
        case "jdbc":
            for (old, new) in [("connector.url", "url"), ("connector.table", "table-name"), ("connector.username", "username"),
                               ("connector.password", "password"), ("connector.driver", "driver")] {
                try move(old, to: new, in: &options, fail: fail)
            }
            try normalizeJDBC(&options, fail: fail)
        default:
            break
        }
        var result = table
        result.options = options
        return result
    }

    /// Renames `old` to `new`; an option given under both names with different values is an error.
    private static func move(_ old: String, to new: String, in options: inout [String: String], fail: (String) -> ConnectorError) throws {
        guard let value = options.removeValue(forKey: old) else { return }
        if let existing = options[new], existing != value {
            throw fail("'\(old)' = '\(value)' contradicts '\(new)' = '\(existing)'")
        }
        options[new] = value
    }

    /// The legacy `format.*` keys of a filesystem table.
    private static func normalizeLegacyFormat(_ options: inout [String: String], table: TableDefinition, fail: (String) -> ConnectorError) throws {
        try move("format.type", to: "format", in: &options, fail: fail)
        for name in ["field-delimiter", "quote-character", "null-literal"] {
            try move("format.\(name)", to: "csv.\(name)", in: &options, fail: fail)
        }
        if let ignore = options.removeValue(forKey: "format.ignore-first-line") {
            guard ["true", "false"].contains(ignore.lowercased()) else {
                throw fail("option 'format.ignore-first-line' must be 'true' or 'false', not '\(ignore)'")
            }
            if ignore.lowercased() == "true" { options["csv.skip-header"] = "true" }
        }
        if let delimiter = options.removeValue(forKey: "format.line-delimiter"), !["\n", "\\n"].contains(delimiter) {
            throw fail("option 'format.line-delimiter' must be '\\n' (records are lines), not '\(delimiter)'")
        }
        // format.fields.N.name / .type / .data-type: the legacy way to repeat the schema; it must agree with the columns.
        let fieldKeys = options.keys.filter { $0.hasPrefix("format.fields.") }
        for key in fieldKeys.sorted() {
            let value = options.removeValue(forKey: key)!
            let parts = key.split(separator: ".")
            guard parts.count == 4, let index = Int(parts[2]), ["name", "type", "data-type"].contains(parts[3]) else {
                throw fail("unsupported option '\(key)'")
            }
            guard index >= 0, index < table.columns.count else {
                throw fail("'\(key)' names field \(index), but the table has \(table.columns.count) columns")
            }
            let column = table.columns[index]
            if parts[3] == "name", value.lowercased() != column.name.lowercased() {
                throw fail("'\(key)' = '\(value)' but column \(index + 1) is '\(column.name)'")
            }
            if parts[3] != "name" {
                guard let type = try? SQLParser.parseType(value) else { throw fail("'\(key)' = '\(value)' is not a type PyFn knows") }
                guard type.kind == column.type.kind else {
                    throw fail("'\(key)' = '\(value)' but column '\(column.name)' is \(column.type)")
                }
            }
        }
        if let schema = options.removeValue(forKey: "format.schema") {
            throw fail("option 'format.schema' = '\(schema)' is not supported: the table's columns are the format's schema (remove it)")
        }
    }

    /// Flink's JDBC options: the URL decides the database; tuning keys that do not change results are dropped.
    private static func normalizeJDBC(_ options: inout [String: String], fail: (String) -> ConnectorError) throws {
        for key in ["sink.buffer-flush.max-rows", "sink.buffer-flush.interval", "sink.max-retries", "scan.fetch-size",
                    "connector.write.flush.max-rows", "connector.write.flush.interval", "connector.write.max-retries",
                    "connector.read.fetch-size"] {
            options[key] = nil
        }
        guard let url = options["url"] else { return }  // the connector reports the missing 'url'
        let lower = url.lowercased()
        let expectedDriver: String
        if lower.hasPrefix("jdbc:sqlite:") {
            expectedDriver = "org.sqlite.JDBC"
            var path = String(url.dropFirst("jdbc:sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            guard !path.isEmpty, path != ":memory:" else {
                throw fail("'url' = '\(url)' must name a database file (jdbc:sqlite:/path/to/file.db)")
            }
            options["connector"] = "sqlite"
            options["url"] = nil
            options["path"] = path
            options["username"] = nil
            options["password"] = nil
        } else if lower.hasPrefix("jdbc:postgresql:") {
            expectedDriver = "org.postgresql.Driver"
        } else {
            throw fail("'url' = '\(url)': PyFn's jdbc connector reaches PostgreSQL (jdbc:postgresql://host:port/database) and SQLite (jdbc:sqlite:path) only")
        }
        if let driver = options.removeValue(forKey: "driver"), driver != expectedDriver {
            throw fail("'driver' = '\(driver)' does not match 'url' = '\(url)' (expected '\(expectedDriver)')")
        }
    }
}
