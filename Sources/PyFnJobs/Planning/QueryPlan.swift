import PyFnArrow
import PyFnRunner

/// A column as a plan sees it: a name, the table or alias it belongs to, and its type.
struct PlanColumn: Sendable, Hashable {
    var name: String
    var qualifier: String?
    var type: SQLType
}

/// One transformation of the batch stream, in the order the plan applies them.
enum PlanStep: Sendable {
    /// Appends columns computed in Swift.
    case compute([BoundExpression], names: [String])
    /// Appends the results of Python scalar (or pandas) calls, one operator for all of them.
    case python(calls: [FunctionCall], names: [String])
    /// Joins each row with the rows a Python table function gives for it (appends the function's columns).
    case lateral(call: FunctionCall, names: [String], leftOuter: Bool)
    /// Keeps the rows where the condition is TRUE.
    case filter(BoundExpression)
    /// Replaces the columns with computed ones.
    case project([BoundExpression], names: [String])
    /// Groups by the key columns and replaces the columns with the keys and the aggregates.
    case aggregate(keys: [Int], aggregates: [AggregateSpec])
    /// Groups by the first `keyCount` columns with Python aggregate functions (accumulators in the runner's state)
    /// and replaces the columns with the keys and one column per call.
    case pythonAggregate(keyCount: Int, calls: [FunctionCall], names: [String])
    /// Time windows over event time (Windows/WindowGroupingStage.swift).
    case window(WindowAggregation)
    /// OVER windows over event time (Windows/OverWindowStage.swift).
    case over(OverAggregation)
    /// A Python table aggregate function (`flat_aggregate`) over the groups of the first `keyCount` columns,
    /// bounded input only (Runtime/TableAggregateStage.swift): the keys, then the emitted rows' columns `names`.
    case tableAggregate(keyCount: Int, call: FunctionCall, names: [String])

    /// Whether this step groups rows.
    var groups: Bool {
        switch self {
        case .aggregate, .pythonAggregate, .window, .over, .tableAggregate: return true
        default: return false
        }
    }
}

/// An aggregate the runtime computes per group.
struct AggregateSpec: Sendable, Hashable {
    enum Function: String, Sendable { case count = "COUNT", sum = "SUM", min = "MIN", max = "MAX", avg = "AVG" }
    var function: Function
    /// The argument column; nil for COUNT(*).
    var argument: Int?
    var distinct: Bool
    /// The result's type.
    var type: SQLType
    /// The call as written, for plans.
    var text: String
}

/// Everything that runs for one INSERT: where rows come from, what happens to them, where they go.
public struct InsertPlan: Sendable {
    /// The table read.
    public var source: TableDefinition
    /// The table written.
    public var sink: TableDefinition
    /// The transformations between them.
    var steps: [PlanStep]
    /// Columns of the rows written, in sink order.
    var output: [PlanColumn]
    /// Output positions of the grouping key, when the sink keeps the latest row per key.
    public var upsertKey: [Int]?
    /// Where the INSERT stands.
    public var location: SourceLocation
}
