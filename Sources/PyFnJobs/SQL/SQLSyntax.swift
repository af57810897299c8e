import PyFnRunner

/// Where something stands in a job file: its path, and 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The job file's path as given.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// A location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors jump to.
    public var description: String { "\(file):\(line):\(column)" }

    /// The Swift source line that builds a statement or expression (for jobs built in Swift): errors then point
    /// at that line.
    public static func code(_ file: String = #fileID, _ line: Int = #line) -> SourceLocation {
        SourceLocation(file: file, line: line, column: 1)
    }
}

/// A job file: its statements in order.
public struct SQLScript: Sendable, Hashable {
    /// The statements.
    public var statements: [SQLStatement]

    /// A script of `statements`.
    public init(statements: [SQLStatement]) { self.statements = statements }
}

/// One statement of a job file.
public enum SQLStatement: Sendable, Hashable {
    /// `CREATE [TEMPORARY] TABLE name (columns[, PRIMARY KEY (k) NOT ENFORCED]) WITH ('k' = 'v', …)`
    case createTable(CreateTableStatement)
    /// `CREATE [TEMPORARY [SYSTEM]] FUNCTION [IF NOT EXISTS] name AS 'module.func' [LANGUAGE PYTHON]`
    case createFunction(CreateFunctionStatement)
    /// `SET 'key' = 'value'`
    case set(SetStatement)
    /// `INSERT INTO table SELECT …`
    case insert(InsertStatement)
}

/// `CREATE TABLE`.
public struct CreateTableStatement: Sendable, Hashable {
    /// The table's name.
    public var name: String
    /// Its columns in order.
    public var columns: [ColumnDefinition]
    /// `PRIMARY KEY (…) NOT ENFORCED` columns, if declared.
    public var primaryKey: [String]
    /// The `WITH` options in the order written.
    public var options: [(key: String, value: String)]
    /// Where the statement starts.
    public var location: SourceLocation
    /// `WATERMARK FOR column AS expression`, if declared.
    public var watermark: WatermarkDeclaration? = nil
    /// The column declared `name AS PROCTIME()`, if any (after the declared columns; not read from the source).
    public var processingTimeColumn: String? = nil

    /// The value of an option, or nil.
    public func option(_ key: String) -> String? { options.first { $0.key == key }?.value }

    /// A CREATE TABLE statement.
    public init(name: String, columns: [ColumnDefinition], primaryKey: [String] = [], options: [(key: String, value: String)], location: SourceLocation) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.options = options
        self.location = location
    }

    /// Statements are equal when every part is, options compared in order.
    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.columns == b.columns && a.primaryKey == b.primaryKey && a.location == b.location
            && a.watermark == b.watermark && a.processingTimeColumn == b.processingTimeColumn
            && a.options.map(\.key) == b.options.map(\.key) && a.options.map(\.value) == b.options.map(\.value)
    }

    /// Hashes the name, columns and location (options are compared by ``==``).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(columns)
        hasher.combine(location)
    }
}

/// A column of a CREATE TABLE.
public struct ColumnDefinition: Sendable, Hashable {
    /// The column's name.
    public var name: String
    /// Its type.
    public var type: SQLType
    /// Where it is declared.
    public var location: SourceLocation

    /// A column definition.
    public init(name: String, type: SQLType, location: SourceLocation) {
        self.name = name
        self.type = type
        self.location = location
    }
}

/// `CREATE FUNCTION`.
public struct CreateFunctionStatement: Sendable, Hashable {
    /// The name SQL calls it by.
    public var name: String
    /// The Python object: `'module.func'` (dotted module path, then the attribute).
    public var pythonObject: String
    /// `LANGUAGE …` as written, upper-cased (`PYTHON`); nil when left out.
    public var language: String?
    /// Where the statement starts.
    public var location: SourceLocation

    /// A CREATE FUNCTION statement.
    public init(name: String, pythonObject: String, language: String?, location: SourceLocation) {
        self.name = name
        self.pythonObject = pythonObject
        self.language = language
        self.location = location
    }
}

/// `SET 'key' = 'value'`.
public struct SetStatement: Sendable, Hashable {
    /// The setting's key.
    public var key: String
    /// Its value.
    public var value: String
    /// Where the statement starts.
    public var location: SourceLocation

    /// A SET statement.
    public init(key: String, value: String, location: SourceLocation) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// `INSERT INTO table query`.
public struct InsertStatement: Sendable, Hashable {
    /// The sink table.
    public var table: String
    /// The query whose rows are inserted.
    public var query: SelectStatement
    /// Where the statement starts.
    public var location: SourceLocation

    /// An INSERT statement.
    public init(table: String, query: SelectStatement, location: SourceLocation) {
        self.table = table
        self.query = query
        self.location = location
    }
}

/// `SELECT items FROM source [, LATERAL TABLE(…) AS T(…) | LEFT JOIN LATERAL TABLE(…) AS T(…) ON TRUE]
/// [WHERE condition] [GROUP BY expressions]`.
public struct SelectStatement: Sendable, Hashable {
    /// What each output row holds.
    public var items: [SelectItem]
    /// Where rows come from.
    public var from: TableReference
    /// A lateral table function join, if any.
    public var lateral: LateralJoin?
    /// The WHERE condition, if any.
    public var condition: SQLExpression?
    /// The GROUP BY expressions (empty: no grouping).
    public var groupBy: [SQLExpression]
    /// Where the SELECT keyword stands.
    public var location: SourceLocation
    /// `FROM TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(ts), …))`: the window function around `from`, if any.
    public var window: WindowTableFunction? = nil

    /// A SELECT.
    public init(items: [SelectItem], from: TableReference, lateral: LateralJoin? = nil, condition: SQLExpression? = nil,
                groupBy: [SQLExpression] = [], location: SourceLocation) {
        self.items = items
        self.from = from
        self.lateral = lateral
        self.condition = condition
        self.groupBy = groupBy
        self.location = location
    }
}

/// One item of a SELECT list.
public enum SelectItem: Sendable, Hashable {
    /// `*` (or `t.*`).
    case star(qualifier: String?, location: SourceLocation)
    /// `expression [AS alias]`.
    case expression(SQLExpression, alias: String?)
}

/// The FROM of a SELECT.
public indirect enum TableReference: Sendable, Hashable {
    /// `name [[AS] alias]`.
    case table(name: String, alias: String?, location: SourceLocation)
    /// `(SELECT …) [AS] alias`.
    case subquery(SelectStatement, alias: String?, location: SourceLocation)
    /// `(VALUES (…), (…)) [AS] alias[(a, b)]`, or an `INSERT … VALUES`'s rows: each row its expressions.
    case values([[SQLExpression]], alias: String?, columns: [String], location: SourceLocation)
}

/// `, LATERAL TABLE(f(args)) [AS] T(a, b)` (inner) or `LEFT JOIN LATERAL TABLE(f(args)) [AS] T(a, b) ON TRUE`.
public struct LateralJoin: Sendable, Hashable {
    /// The table function's name.
    public var function: String
    /// Its arguments.
    public var arguments: [SQLExpression]
    /// The alias of the function's table (`T`), if any.
    public var alias: String?
    /// Names for the function's output columns (`T(a, b)`); empty: the function's own names.
    public var columnNames: [String]
    /// True for LEFT JOIN … ON TRUE: input rows without output come out once, with NULLs.
    public var leftOuter: Bool
    /// Where `LATERAL` stands.
    public var location: SourceLocation

    /// A lateral join.
    public init(function: String, arguments: [SQLExpression], alias: String?, columnNames: [String], leftOuter: Bool, location: SourceLocation) {
        self.function = function
        self.arguments = arguments
        self.alias = alias
        self.columnNames = columnNames
        self.leftOuter = leftOuter
        self.location = location
    }
}

/// A literal value in SQL text.
public enum SQLLiteralValue: Sendable, Hashable {
    /// An integer literal (`42`).
    case integer(Int64)
    /// A literal with a point or exponent (`1.5`, `1e3`), kept as written.
    case decimal(String)
    /// `'text'` (with `''` unescaped).
    case string(String)
    /// TRUE / FALSE.
    case boolean(Bool)
    /// NULL.
    case null
}

/// Binary operators, by precedence from weakest: OR; AND; comparisons; `+ - ||`; `* / %`.
public enum SQLBinaryOperator: String, Sendable, Hashable {
    /// Logical OR and AND.
    case or = "OR", and = "AND"
    /// Comparisons (`!=` is read as `<>`).
    case equal = "=", notEqual = "<>", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    /// Addition, subtraction, string concatenation.
    case plus = "+", minus = "-", concat = "||"
    /// Multiplication, division, remainder.
    case times = "*", divide = "/", modulo = "%"
}

/// Unary operators.
public enum SQLUnaryOperator: String, Sendable, Hashable {
    /// Logical NOT and arithmetic negation.
    case not = "NOT", negate = "-"
}

/// An expression in SQL text.
public indirect enum SQLExpression: Sendable, Hashable {
    /// `name` or `qualifier.name`.
    case column(name: String, qualifier: String?, location: SourceLocation)
    /// A literal.
    case literal(SQLLiteralValue, location: SourceLocation)
    /// `name(args)`, `name(DISTINCT args)`, `COUNT(*)` (arguments `[.star]`).
    case call(name: String, arguments: [SQLExpression], distinct: Bool, location: SourceLocation)
    /// `*` as the argument of COUNT(*).
    case star(location: SourceLocation)
    /// `lhs op rhs`.
    case binary(SQLBinaryOperator, SQLExpression, SQLExpression, location: SourceLocation)
    /// `op operand`.
    case unary(SQLUnaryOperator, SQLExpression, location: SourceLocation)
    /// `CAST(expression AS type)`.
    case cast(SQLExpression, SQLType, location: SourceLocation)
    /// `expression IS [NOT] NULL`.
    case isNull(SQLExpression, negated: Bool, location: SourceLocation)

    /// Where the expression starts.
    public var location: SourceLocation {
        switch self {
        case .column(_, _, let l), .literal(_, let l), .call(_, _, _, let l), .star(let l), .binary(_, _, _, let l),
             .unary(_, _, let l), .cast(_, _, let l), .isNull(_, _, let l):
            return l
        }
    }
}

/// A job file that cannot be read as SQL, or that refers to what is not there: the message says what, the
/// location says where.
public struct SQLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Where.
    public var location: SourceLocation

    /// An error at `location`.
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    /// `file:line:column: error: message`.
    public var description: String { "\(location): error: \(message)" }
}
