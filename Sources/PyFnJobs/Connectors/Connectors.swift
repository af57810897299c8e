/// Builds a table's source or sink from its `'connector'` option.
///
/// | `'connector'` | source | sink |
/// |---|---|---|
/// | `filesystem` | ``FileSystemSource`` (bounded, or tailing with `'source.monitor-interval'`) | ``FileSystemSink`` |
/// | `stdin` | ``StdinSource`` (unbounded until EOF) | — |
/// | `datagen` | ``DataGenSource`` | — |
/// | `arrow` | ``ArrowFileSource`` (an Arrow IPC stream file) | — |
/// | `print` | — | ``PrintSink`` |
/// | `blackhole` | — | ``BlackholeSink`` |
/// | `sqlite` | ``SQLiteSource`` | ``SQLiteSink`` |
/// | `postgres`, `jdbc` | — | ``PostgresSink`` |
///
/// Flink's legacy keys (`'connector.type'`, `'connector.path'`, `'format.type'`, …) and JDBC URLs
/// (`jdbc:postgresql:`, `jdbc:sqlite:`) are rewritten first (``FlinkOptionAliases``).
///
/// Unknown options are errors (a misspelt option does not silently do nothing); every error names the table and
/// the option.
public enum Connectors {
    /// The connector names ``source(_:)`` accepts.
    public static let sourceConnectors = ["filesystem", "stdin", "datagen", "sqlite", "arrow"]
    /// The connector names ``sink(_:)`` accepts.
    public static let sinkConnectors = ["filesystem", "print", "blackhole", "sqlite", "postgres", "jdbc"]

    /// The source reading `table`; throws ``ConnectorError`` when the connector is missing, unknown or cannot be
    /// read from, or an option is missing or bad.
    public static func source(_ declared: TableDefinition) throws -> any TableSource {
        if let rows = declared.inlineRows { return ValuesSource(declared, rows: rows) }
        let table = try FlinkOptionAliases.normalized(declared)
        switch try connectorName(table, allowed: sourceConnectors, role: "read from") {
        case "filesystem": return try FileSystemSource(table)
        case "stdin": return try StdinSource(table)
        case "datagen": return try DataGenSource(table)
        case "arrow": return try ArrowFileSource(table)
        default: return try SQLiteSource(table)
        }
    }

    /// The sink writing `table`; throws ``ConnectorError`` when the connector is missing, unknown or cannot be
    /// written to, or an option is missing or bad.
    public static func sink(_ declared: TableDefinition) throws -> any TableSink {
        let table = try FlinkOptionAliases.normalized(declared)
        switch try connectorName(table, allowed: sinkConnectors, role: "written to") {
        case "filesystem": return try FileSystemSink(table)
        case "print": return try PrintSink(table)
        case "blackhole": return try BlackholeSink(table)
        case "sqlite": return try SQLiteSink(table)
        default: return try PostgresSink(table)
        }
    }

    /// The table's `'connector'`, lowercased, checked against `allowed`.
    private static func connectorName(_ table: TableDefinition, allowed: [String], role: String) throws -> String {
        guard let value = table.options["connector"], !value.isEmpty else {
            throw ConnectorError("table '\(table.name)': missing option 'connector' (one of \(allowed.joined(separator: ", ")))")
        }
        let name = value.lowercased()
        guard allowed.contains(name) else {
            let known = Set(sourceConnectors + sinkConnectors)
            let reason = known.contains(name) ? "cannot be \(role)" : "is not a known connector"
            throw ConnectorError("table '\(table.name)': 'connector' = '\(value)' \(reason) (use one of \(allowed.joined(separator: ", ")))")
        }
        return name
    }
}
