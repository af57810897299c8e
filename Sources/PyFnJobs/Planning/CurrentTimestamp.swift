// Flink's CURRENT_TIMESTAMP and NOW(): the current instant as a TIMESTAMP_LTZ(3). Bound once, when the query is
// planned — Flink's batch-mode rule (one value per query); Flink's streaming mode evaluates it per row.
import Foundation
import PyFnArrow
import PyFnRunner

extension ExpressionBinder {
    /// Whether `name` called with `arguments` is CURRENT_TIMESTAMP / NOW().
    static func isCurrentTimestamp(_ name: String, arguments: Int) -> Bool {
        ["NOW", "CURRENT_TIMESTAMP"].contains(name.uppercased()) && arguments == 0
    }

    /// The instant the query is planned, to the millisecond.
    func currentTimestamp() -> BoundExpression {
        let millis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        return .literal(.timestamp(millis * 1000, .microsecond), SQLType(.timestampLTZ(precision: 3)).notNull)
    }
}
