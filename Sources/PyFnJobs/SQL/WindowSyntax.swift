/// The SQL text of event time and windows: `WATERMARK FOR` in CREATE TABLE, the window table functions in FROM,
/// and `INTERVAL 'n' UNIT` literals (read as the call `$interval('n', 'UNIT')`, which no user function can be
/// named, so the expression tree keeps its shape).

import Foundation

/// `WATERMARK FOR column AS expression` in a CREATE TABLE.
public struct WatermarkDeclaration: Sendable, Hashable {
    /// The event-time column.
    public var column: String
    /// The watermark expression (`ts - INTERVAL '5' SECOND`, or `ts`).
    public var expression: SQLExpression
    /// Where `WATERMARK` stands.
    public var location: SourceLocation

    /// A watermark declaration.
    public init(column: String, expression: SQLExpression, location: SourceLocation) {
        self.column = column
        self.expression = expression
        self.location = location
    }
}

/// `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size))`, `HOP(…, slide, size)`, `CUMULATE(…, step, size)` around a
/// SELECT's table.
public struct WindowTableFunction: Sendable, Hashable {
    /// `TUMBLE`, `HOP` or `CUMULATE`, upper-cased.
    public var kind: String
    /// The DESCRIPTOR's column.
    public var timeColumn: String
    /// The interval arguments after the descriptor, as written.
    public var intervals: [SQLExpression]
    /// Where the window function's name stands.
    public var location: SourceLocation

    /// A window table function.
    public init(kind: String, timeColumn: String, intervals: [SQLExpression], location: SourceLocation) {
        self.kind = kind
        self.timeColumn = timeColumn
        self.intervals = intervals
        self.location = location
    }
}

extension SQLExpression {
    /// The name under which `INTERVAL 'n' UNIT` is kept as a call.
    static let intervalCallName = "$interval"

    /// The interval in microseconds when this is an `INTERVAL 'n' UNIT` literal; nil otherwise.
    var intervalMicroseconds: Int64? {
        guard case .call(let name, let arguments, _, _) = self, name == Self.intervalCallName, arguments.count == 2,
              case .literal(.string(let amount), _) = arguments[0], case .literal(.string(let unit), _) = arguments[1] else { return nil }
        let perUnit: [String: Double] = ["MILLISECOND": 1e3, "SECOND": 1e6, "MINUTE": 6e7, "HOUR": 3.6e9, "DAY": 8.64e10]
        guard let scale = perUnit[unit], let value = Double(amount.trimmingCharacters(in: .whitespaces)) else { return nil }
        return Int64((value * scale).rounded())
    }
}

/// How `aggregate(…) OVER (PARTITION BY … ORDER BY ts ROWS|RANGE BETWEEN … PRECEDING AND CURRENT ROW)` is kept in
/// the expression tree: the call `$over(aggregate, $partition(keys…), ts, $frame('ROWS' | 'RANGE', bound))`, where
/// bound is an integer (ROWS), an INTERVAL (RANGE) or the string 'UNBOUNDED'. These names cannot be written in SQL.
enum OverWindowSyntax {
    /// The call that wraps an OVER aggregate.
    static let overName = "$over"
    /// The call that lists the PARTITION BY expressions.
    static let partitionName = "$partition"
    /// The call that holds the frame.
    static let frameName = "$frame"
}
