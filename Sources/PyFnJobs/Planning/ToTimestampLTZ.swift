// Flink's TO_TIMESTAMP_LTZ(numeric, precision): an epoch count (seconds for precision 0, milliseconds for 3,
// microseconds for 6) as a TIMESTAMP_LTZ(3) instant, bound onto a cast of epoch microseconds.
import PyFnArrow
import PyFnRunner

extension ExpressionBinder {
    /// `TO_TIMESTAMP_LTZ(epoch[, precision])`: `epoch` an integer expression, `precision` the literal 0, 3 (the
    /// default) or 6; the result is TIMESTAMP_LTZ(3) (TIMESTAMP_LTZ(6) for precision 6).
    func toTimestampLTZ(_ arguments: [BoundExpression], at location: SourceLocation) throws -> BoundExpression {
        guard (1...2).contains(arguments.count) else {
            throw SQLError("TO_TIMESTAMP_LTZ takes an epoch number and a precision (0, 3 or 6), not \(arguments.count) arguments", at: location)
        }
        let epoch = arguments[0]
        guard epoch.type.isInteger || epoch.isNullLiteral else {
            throw SQLError("TO_TIMESTAMP_LTZ needs an integer epoch, not \(epoch.type)", at: location)
        }
        var precision: Int64 = 3
        if arguments.count == 2 {
            guard case .literal(.int(let value), _) = arguments[1], [0, 3, 6].contains(value) else {
                throw SQLError("TO_TIMESTAMP_LTZ's precision must be the number 0 (seconds), 3 (milliseconds) or 6 (microseconds)", at: location)
            }
            precision = value
        }
        let microsPerUnit: Int64 = precision == 0 ? 1_000_000 : precision == 3 ? 1_000 : 1
        let micros = BoundExpression.arithmetic(.times, epoch, .literal(.int(microsPerUnit), SQLType.bigint.notNull), .bigint)
        return .cast(micros, SQLType(.timestampLTZ(precision: precision == 6 ? 6 : 3)))
    }
}
