import PyFnRunner

/// SQL's built-in aggregates (COUNT, SUM, AVG, MIN, MAX) as the Python aggregate functions of
/// `pyfn.worker.builtin_aggregates`, for a GROUP BY that also has a Python aggregate or that aggregates the
/// updating rows of another GROUP BY: all its aggregates then run in one Python aggregate operator, with one
/// state per key. Result types are those of the Swift built-ins (COUNT: BIGINT NOT NULL; SUM: BIGINT of integers,
/// else DOUBLE; AVG: DOUBLE; MIN/MAX: the argument's type).
enum BuiltinPythonAggregate {
    /// The module that defines them.
    static let module = "pyfn.worker.builtin_aggregates"

    /// The function for built-in `name` over an argument of type `argument` (nil: `COUNT(*)`), named `text` in
    /// messages; over `updating` input, MIN and MAX keep every value so that any can be taken back.
    static func function(_ name: String, text: String, argument: SQLType?, updating: Bool, at location: SourceLocation) throws -> PythonFunction {
        let (object, type): (String, SQLType)
        switch (name.uppercased(), argument) {
        case ("COUNT", nil): (object, type) = ("count_star", SQLType.bigint.notNull)
        case ("COUNT", _): (object, type) = ("count", SQLType.bigint.notNull)
        case ("SUM", let argument?):
            guard argument.isNumeric else { throw SQLError("SUM needs a number, not \(argument)", at: location) }
            (object, type) = argument.isInteger ? ("sum_exact", .bigint) : ("sum_double", .double)
        case ("AVG", let argument?):
            guard argument.isNumeric else { throw SQLError("AVG needs a number, not \(argument)", at: location) }
            (object, type) = ("avg", .double)
        case ("MIN", let argument?): (object, type) = (updating ? "min_with_retract" : "min_value", SQLType(argument.kind))
        case ("MAX", let argument?): (object, type) = (updating ? "max_with_retract" : "max_value", SQLType(argument.kind))
        default: throw SQLError("'\(text)' is not an aggregate PyFn knows", at: location)
        }
        return PythonFunction(name: text, body: .reference(module: module, name: object), kind: .aggregate, resultType: type)
    }
}
