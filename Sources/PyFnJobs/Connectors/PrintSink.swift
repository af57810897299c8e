import Foundation
import PyFnArrow
import PyFnRunner

/// Writes each row to standard output as Flink's print connector does (`'connector' = 'print'`).
///
/// A row is printed as `+I[1, Alice, null]`. With an upsert key, the first row of a key is `+I` and later rows of
/// the same key are `+U`. Options: `'print-identifier'` puts `identifier> ` before every row;
/// `'standard-error' = 'true'` prints to standard error instead. Values use the text forms of ``TextValueCodec``;
/// NULL is `null`, arrays `[a, b]`, maps `{k=v, …}`, rows `(a, b)`; TIMESTAMP_LTZ in the session time zone, as Flink
/// prints it.
public actor PrintSink: TableSink {
    private let columns: [SQLField]
    private let prefix: String
    private let output: @Sendable (String) -> Void
    private var upsertKey: [Int]?
    private var seenKeys: Set<[ArrowValue]> = []

    /// The sink declared by `table`; throws ``ConnectorError`` for bad options.
    public init(_ table: TableDefinition) throws {
        let toStandardError = try TableOptions(table).bool("standard-error", default: false)
        let handle = toStandardError ? FileHandle.standardError : FileHandle.standardOutput
        try self.init(table, output: { text in handle.write(Data(text.utf8)) })
    }

    /// A sink handing its text (whole lines, each ending in a line break) to `output`, for tests.
    init(_ table: TableDefinition, output: @escaping @Sendable (String) -> Void) throws {
        let options = TableOptions(table)
        _ = try options.bool("standard-error", default: false)
        prefix = options.string("print-identifier").map { "\($0)> " } ?? ""
        try options.checkNoneLeft()
        columns = table.columns
        self.output = output
    }

    /// Remembers the upsert key.
    public func open(schema: ArrowSchema, upsertKey: [Int]?) async throws {
        self.upsertKey = upsertKey
    }

    /// Prints the batch's rows.
    public func write(_ batch: RecordBatch) async throws {
        guard batch.length > 0 else { return }
        var text = ""
        for i in 0..<batch.length {
            let row = batch.row(i)
            var kind = "+I"
            if let upsertKey, !seenKeys.insert(upsertKey.map { row[$0] }).inserted { kind = "+U" }
            text += prefix + kind + "["
            text += zip(row, columns).map { Self.text($0, as: $1.type) }.joined(separator: ", ")
            text += "]\n"
        }
        output(text)
    }

    /// Nothing to release.
    public func close() async throws {}

    /// A value as printed.
    static func text(_ value: ArrowValue, as type: SQLType) -> String {
        switch (value, type.kind) {
        case (.null, _): return "null"
        case (.list(let items), .array(let element)):
            return "[" + items.map { text($0, as: element) }.joined(separator: ", ") + "]"
        case (.map(let entries), .map(let key, let valueType)):
            return "{" + entries.map { text($0.key, as: key) + "=" + text($0.value, as: valueType) }.joined(separator: ", ") + "}"
        case (.struct(let members), .row(let fields)):
            return "(" + zip(members, fields).map { text($0, as: $1.type) }.joined(separator: ", ") + ")"
        default:
            return TextValueCodec.displayText(value, as: type) ?? "null"
        }
    }
}
