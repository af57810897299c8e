// A changelog table (PyFlink's `from_changelog_stream`): how the planner reads its row kinds.
import PyFnArrow
import PyFnRunner

/// A table whose rows are changes rather than facts: its hidden ``rowKindColumn`` (TINYINT, PyFlink's `RowKind`:
/// 0 `+I`, 1 `-U`, 2 `+U`, 3 `-D`) says what each row does. A GROUP BY over it runs its aggregates in Python with
/// the take-back rows (`-U`, `-D`) flagged in ``ChainedGroupingStage/retractColumn``, so each aggregate's
/// `retract` runs for them, and counts each group's live rows in ``liveRowsName`` so that a group left with none
/// is deleted, as Flink's GroupAggFunction does. Any other query over it is refused: its updates and deletes would
/// reach a sink that takes inserts only.
enum ChangelogTable {
    /// The hidden column of row kinds (`pyfn.datastream.table_bridge.ROW_KIND_COLUMN`).
    static let rowKindColumn = "__pyfn_row_kind"
    /// The name of the hidden COUNT(*) of a GROUP BY over a changelog table: a group's rows still in force.
    static let liveRowsName = "__pyfn_live_rows"

    /// The row-kind column among `columns`, if the query reads a changelog table.
    static func rowKind(in columns: [PlanColumn]) -> (index: Int, column: PlanColumn)? {
        columns.firstIndex { $0.name == rowKindColumn }.map { ($0, columns[$0]) }
    }

    /// True for the rows a `-U` or `-D` takes back .
    static func retractFlag(kindAt index: Int, type: SQLType) -> BoundExpression {
        .logical(.or, .comparison(.equal, .column(index, type), .literal(.int(1), type)),
                 .comparison(.equal, .column(index, type), .literal(.int(3), type)))
    }

    /// The error for a query over changelog table `source` without a GROUP BY that takes its changes back, into
    /// `sink`: Flink's own message for a sink (Flink's append-only sinks refuse it at planning), PyFn's for a
    /// collect.
    static func refusal(source: TableDefinition, sink: TableDefinition, at location: SourceLocation) -> SQLError {
        let fields = source.columns.map(\.name).filter { $0 != rowKindColumn }.joined(separator: ", ")
        if sink.name == "collect" && sink.options.isEmpty {
            return SQLError("the changelog table '\(source.name)' (from_changelog_stream: fields \(fields)) is read by a GROUP BY "
                            + "with aggregates only in PyFn, which applies its updates and deletes; give the query a GROUP BY, "
                            + "or read the stream itself", at: location)
        }
        return SQLError("Table sink '\(sink.name)' doesn't support consuming update and delete changes which is produced by node "
                        + "TableSourceScan(table=[[\(source.name)]], fields=[\(fields)])", at: location)
    }
}
