import PyFnRunner

/// A table's event time, from `WATERMARK FOR ts AS ts - INTERVAL 'n' UNIT`: which column holds each row's time,
/// and how far the watermark trails the largest time seen (bounded out-of-orderness, as Flink's
/// `BoundedOutOfOrderness` strategy).
public struct EventTime: Sendable, Hashable {
    /// The event-time column's name, as declared.
    public var column: String
    /// Its position among the table's columns.
    public var columnIndex: Int
    /// How far the watermark trails the largest event time seen, in microseconds (0 for `AS ts`).
    public var delayMicroseconds: Int64
    /// Where `WATERMARK` stands.
    public var location: SourceLocation
    /// True for a `PROCTIME()` column: the time a row was read (its watermark is the clock).
    public var isProcessingTime = false

    /// The event time a CREATE TABLE declares; nil without a WATERMARK. The column must exist and be a TIMESTAMP,
    /// and the expression `column` or `column - INTERVAL 'n' UNIT`.
    init?(_ create: CreateTableStatement) throws {
        guard let watermark = create.watermark else {
            guard let processing = create.processingTimeColumn else { return nil }
            column = processing
            columnIndex = create.columns.count
            delayMicroseconds = 0
            location = create.location
            isProcessingTime = true
            return
        }
        guard let index = create.columns.firstIndex(where: { $0.name.lowercased() == watermark.column.lowercased() }) else {
            throw SQLError("WATERMARK FOR '\(watermark.column)': '\(create.name)' has no such column (columns: \(create.columns.map(\.name).joined(separator: ", ")))",
                           at: watermark.location)
        }
        switch create.columns[index].type.kind {
        case .timestamp, .timestampLTZ: break  // both carry microseconds since the epoch (LTZ: of the instant)
        default:
            throw SQLError("WATERMARK FOR '\(watermark.column)': the event-time column must be a TIMESTAMP(p) or TIMESTAMP_LTZ(p), not \(create.columns[index].type)",
                           at: watermark.location)
        }
        func isTheColumn(_ expression: SQLExpression) -> Bool {
            if case .column(let name, _, _) = expression { return name.lowercased() == watermark.column.lowercased() }
            return false
        }
        switch watermark.expression {
        case let e where isTheColumn(e):
            delayMicroseconds = 0
        case .binary(.minus, let lhs, let rhs, _) where isTheColumn(lhs) && rhs.intervalMicroseconds != nil:
            delayMicroseconds = rhs.intervalMicroseconds!
        default:
            throw SQLError("WATERMARK FOR '\(watermark.column)' AS '\(watermark.expression.sqlText)': PyFn reads `\(watermark.column)` or `\(watermark.column) - INTERVAL 'n' SECOND` (or MILLISECOND, MINUTE, HOUR, DAY)",
                           at: watermark.expression.location)
        }
        guard delayMicroseconds >= 0 else {
            throw SQLError("WATERMARK FOR '\(watermark.column)': the delay must not be negative", at: watermark.location)
        }
        column = create.columns[index].name
        columnIndex = index
        location = watermark.location
    }
}
