/// A Pandas aggregate in a plain GROUP BY (no window), as PyFlink runs it in batch mode: each key's rows of the
/// whole (bounded) input go to the function as one `pandas.Series` per argument, and one row per key comes out
/// at the end of the input, beside built-in and general Python aggregates of the same GROUP BY. It is planned
/// as a window step of kind ``WindowKind/wholeInput``; an unbounded input is refused when the job starts
/// (``WindowGroupingStage``), as streaming PyFlink refuses it, and so is an updating input (no retract).
extension Planner {
    /// Plans `GROUP BY keys` whose aggregates include the Pandas aggregate `pandas`.
    func planPandasGrouped(_ select: SelectStatement, pandas: SQLExpression, keys: [SQLExpression], updating: Bool,
                           items: [(expression: SQLExpression, name: String)], aggregates: [SQLExpression],
                           columns: inout [PlanColumn], steps: inout [PlanStep], source: TableDefinition) throws -> (TableDefinition, [PlanColumn], [Int]?) {
        guard !updating else {
            throw SQLError("the Pandas aggregate '\(pandas.sqlText)' cannot read the updating rows of an earlier GROUP BY (a Pandas aggregate has no retract); use a general Python aggregate with retract",
                           at: pandas.location)
        }
        let clause = WindowClause(kind: .wholeInput, timeColumn: "", keys: keys, location: select.location, isGroupWindow: false)
        return try planWindowed(select, window: clause, items: items, aggregates: aggregates, columns: &columns, steps: &steps, source: source)
    }
}
