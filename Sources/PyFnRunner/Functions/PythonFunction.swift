import Foundation
import PyFnProto

/// A Python function an operator can call, and what it is declared to return.
public struct PythonFunction: Sendable, Hashable {
    /// How the worker finds the function.
    public enum Body: Sendable, Hashable {
        /// `import module` and look up `name` in it (dotted for nested attributes), like Flink's
        /// `CREATE FUNCTION f AS 'module.name' LANGUAGE PYTHON`.
        case reference(module: String, name: String)
        /// A `cloudpickle.dumps` of the function or of its `@udf` wrapper.
        case cloudpickle(Data)
    }

    /// How the function is called.
    public enum Kind: Sendable, Hashable {
        /// One row in, one value out (`@udf`).
        case scalar
        /// Whole columns in as `pandas.Series`, a column out (`@udf(func_type="pandas")`).
        case pandasScalar
        /// One row in, one value out, awaited: many rows in flight at once (`AsyncScalarFunction`, `async def`).
        case asyncScalar
        /// Whole columns in as `pyarrow.Array`, an Array out (`@udf(func_type="arrow")`).
        case arrowScalar
        /// One row in, zero or more rows out (`@udtf`).
        case table
        /// The rows of a group into an accumulator, one value per group (`@udaf`, an AggregateFunction).
        case aggregate
        /// A group's rows in as one `pandas.Series` per argument, one value out (`udaf(…, func_type="pandas")`).
        case pandasAggregate
        /// The rows of a group into an accumulator, zero or more rows per group (`udtaf`, a TableAggregateFunction).
        case tableAggregate
    }

    /// The name users know the function by; it appears in error messages, logs and metrics.
    public var name: String
    /// Where the code comes from.
    public var body: Body
    /// How it is called.
    public var kind: Kind
    /// The declared result: a column type for scalar kinds and aggregates, a ROW of the output columns for table
    /// functions.
    public var resultType: SQLType
    /// Whether the same inputs always give the same result.
    public var deterministic: Bool

    /// Describes a function.
    public init(name: String, body: Body, kind: Kind = .scalar, resultType: SQLType, deterministic: Bool = true) {
        self.name = name
        self.body = body
        self.kind = kind
        self.resultType = resultType
        self.deterministic = deterministic
    }

    /// A function found by import, named after its attribute: `PythonFunction.reference("udfs.add", returns: .bigint)`.
    public static func reference(_ dottedPath: String, kind: Kind = .scalar, returns resultType: SQLType) -> PythonFunction {
        let (module, name) = dottedPath.splitAtLastDot()
        return PythonFunction(name: name, body: .reference(module: module, name: name), kind: kind, resultType: resultType)
    }
}

/// One argument of a call: a column of the operator's input, a literal, or the result of another call.
public indirect enum FunctionArgument: Sendable, Hashable {
    /// The input column at this index.
    case column(Int)
    /// A literal of the given type; `.null` is SQL NULL.
    case constant(SQLLiteral)
    /// The result of a nested call, computed for the same row in the same pass.
    case call(FunctionCall)
}

/// A call of a Python function on arguments: `f(g(x), 1)` is a call of `f` whose first argument is a call of `g`.
public struct FunctionCall: Sendable, Hashable {
    /// The function called.
    public var function: PythonFunction
    /// Its arguments, in order.
    public var arguments: [FunctionArgument]
    /// Aggregates: `f(DISTINCT …)`, each key's accumulator sees each distinct argument tuple once.
    public var distinct: Bool

    /// A call of `function` on `arguments` (`distinct`: an aggregate call with DISTINCT).
    public init(_ function: PythonFunction, _ arguments: [FunctionArgument], distinct: Bool = false) {
        self.function = function
        self.arguments = arguments
        self.distinct = distinct
    }
}

extension String {
    /// `"a.b.c"` → `("a.b", "c")`; a string with no dot is its own module and name.
    func splitAtLastDot() -> (String, String) {
        guard let dot = lastIndex(of: ".") else { return (self, self) }
        return (String(self[..<dot]), String(self[index(after: dot)...]))
    }
}
