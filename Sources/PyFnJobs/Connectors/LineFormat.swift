import PyFnArrow
import PyFnRunner

/// A row that could not be read from a record: what is wrong, where in the record, and, when one column is to
/// blame, its name and text.
struct RowDecodeError: Error, Sendable {
    /// What is wrong.
    var message: String
    /// The column whose value is bad.
    var column: String?
    /// The bad text.
    var value: String?
    /// The byte offset in the record where the problem is (the bad field's start); nil when no one place is.
    var offset: Int? = nil
}

/// A text format with one record per line (CSV, JSON Lines): reads records into rows and writes rows as records.
protocol LineFormat: Sendable {
    /// The quote character when a quoted field may span lines (CSV), so line splitting keeps it whole.
    var multilineQuote: UInt8? { get }
    /// The row a record (one line, without its line break) holds, one value per column.
    func decode(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [ArrowValue]
    /// Decodes `record` and appends its row to `builder`: the same rows and errors as ``decode(_:)`` followed by
    /// ``RowBatchBuilder/append(_:)``, possibly faster.
    func decode(_ record: ArraySlice<UInt8>, into builder: inout RowBatchBuilder) throws
    /// Whether the file's first record is a header line to skip.
    func isHeader(_ record: ArraySlice<UInt8>) -> Bool
    /// One record (without a line break) holding `row`.
    func encode(_ row: [ArrowValue]) -> String
}

extension LineFormat {
    func decode(_ record: ArraySlice<UInt8>, into builder: inout RowBatchBuilder) throws {
        try builder.append(try decode(record))
    }
}

/// The `'format'` of a text table and how to treat bad lines.
struct LineFormatSettings: Sendable {
    /// The format.
    var format: any LineFormat
    /// Skip lines that cannot be read (counted) instead of failing.
    var ignoreParseErrors: Bool

    /// Reads `'format'` (`csv` | `json`), its `csv.*` / `json.*` options and `'<format>.ignore-parse-errors'` (or
    /// `'format.ignore-parse-errors'`).
    init(_ options: TableOptions) throws {
        let name = try options.choice("format", ["csv", "json"])
        let ignoreAny = try options.bool("format.ignore-parse-errors", default: false)
        ignoreParseErrors = try options.bool("\(name).ignore-parse-errors", default: ignoreAny)
        switch name {
        case "csv": format = try CSVFormat(options)
        default: format = JSONLinesFormat(columns: options.table.columns)
        }
    }
}
