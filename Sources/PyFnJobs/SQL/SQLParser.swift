import PyFnRunner

/// Reads job files written in PyFn's subset of Flink SQL.
///
/// The subset: `CREATE [TEMPORARY] TABLE`, `CREATE [TEMPORARY [SYSTEM]] FUNCTION … AS 'module.func'
/// [LANGUAGE PYTHON]`, `CREATE [TEMPORARY] VIEW … AS SELECT …` / `DROP [TEMPORARY] VIEW` (``SQLViews``), `SET`, and
/// `INSERT INTO … SELECT …` (or `VALUES (…), …`) with a table, view, subquery or `(VALUES …)` source, an optional
/// lateral table-function join, `WHERE` and `GROUP BY`. Keywords are case-insensitive; identifiers keep their case and
/// may be written in backticks. Statements are separated by `;` (the last one may be left out).
///
/// Every node of the result carries the location of its first token; every error is an ``SQLError`` that says
/// where. The parser never traps on bad input, and nesting deeper than ``maximumNestingDepth`` is an error.
public enum SQLParser {
    /// How deeply expressions, subqueries and types may nest before the parser gives up with an error.
    public static let maximumNestingDepth = 200

    /// Parses a whole job file.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - file: The file's path as it should appear in locations.
    /// - Returns: The statements in order.
    /// - Throws: ``SQLError`` at the first token that does not fit (or the start of an unterminated string or
    ///   comment, or just past the last token when the input ends too early).
    public static func parse(_ text: String, file: String) throws -> SQLScript {
        let grammar = SQLGrammar(text: text, file: file)
        return try grammar.script()
    }

    /// Parses one query (`SELECT …`, no INSERT), as a Python program's `collect()` sends it; a trailing `;` is
    /// allowed.
    ///
    /// - Throws: ``SQLError`` at the first token that does not fit.
    public static func parseQuery(_ text: String, file: String) throws -> SelectStatement {
        let grammar = SQLGrammar(text: text, file: file)
        guard grammar.token.isKeyword("SELECT") else { throw grammar.unexpected("SELECT") }
        let query = try grammar.select()
        while grammar.accept(.semicolon) {}
        guard grammar.token.kind == .end else { throw grammar.unexpected("end of query") }
        return query
    }

    /// Parses a type written as text, e.g. `BIGINT NOT NULL`, `ARRAY<STRING>`, `ROW<a INT, b STRING>`,
    /// `DECIMAL(10, 2)`, `MAP<STRING, BIGINT>`, `TIMESTAMP(3)`.
    ///
    /// Aliases map onto ``SQLType``'s kinds the way Flink reads them: `INTEGER` is `INT`, `VARCHAR`, `VARCHAR(n)`,
    /// `CHAR(n)` are `STRING`, `VARBINARY`/`BINARY(n)` are `BYTES`, `DOUBLE PRECISION` is `DOUBLE`, `DEC`/`NUMERIC`
    /// are `DECIMAL`. Defaults: `DECIMAL` is `DECIMAL(10, 0)`, `TIMESTAMP` is `TIMESTAMP(6)`, `TIME` is `TIME(0)`.
    ///
    /// - Throws: ``SQLError`` located in `text` (file `<type>`), e.g. `unknown type 'FOO'`.
    public static func parseType(_ text: String) throws -> SQLType {
        try parseType(text, file: "<type>")
    }

    /// Parses a type written as text, naming `file` in error locations; see ``parseType(_:)``.
    public static func parseType(_ text: String, file: String) throws -> SQLType {
        let grammar = SQLGrammar(text: text, file: file)
        let type = try grammar.type()
        guard grammar.token.kind == .end else { throw grammar.unexpected("end of type") }
        return type
    }
}

/// The recursive-descent grammar behind ``SQLParser``: a cursor over the tokens plus one method per rule.
final class SQLGrammar {
    private let source: [Character]
    private let tokens: [SQLToken]
    private var position = 0
    private var depth = 0
    /// The window table function the FROM being read has, completed by ``table(after:)``.
    private var pendingWindow: WindowTableFunction?
    /// The views defined so far (``SQLViews``), which later table references read as subqueries.
    var views = SQLViews()

    init(text: String, file: String) {
        let source = Array(text)
        var lexer = SQLLexer(source: source, file: file)
        self.source = source
        self.tokens = lexer.tokenize()
    }

    // MARK: Cursor

    /// The current token (the final `.end`/`.invalid` token once past the end).
    var token: SQLToken { peek(0) }

    /// The token `offset` places ahead, clamped to the last one.
    func peek(_ offset: Int) -> SQLToken {
        // The lexer always appends `.end` or `.invalid`, so `tokens` is never empty.
        let i = min(position + offset, tokens.count - 1)
        return tokens[max(i, 0)]
    }

    /// Moves to the next token; never moves past the last one.
    func advance() {
        if position < tokens.count - 1 { position += 1 }
    }

    /// "expected `what` but found …" at the current token; the lexer's own message if the current token is text
    /// it could not read.
    func unexpected(_ what: String) -> SQLError {
        if token.kind == .invalid { return SQLError(token.text, at: token.location) }
        return SQLError("expected \(what) but found \(token.displayName)", at: token.location)
    }

    /// Consumes the keyword if it is next.
    func accept(keyword: String) -> Bool {
        guard token.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    /// Consumes the symbol if it is next.
    func accept(_ symbol: SQLSymbol) -> Bool {
        guard token.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    /// Consumes the keyword or throws; returns the keyword's token.
    @discardableResult
    func expect(keyword: String) throws -> SQLToken {
        let t = token
        guard t.isKeyword(keyword) else { throw unexpected(keyword) }
        advance()
        return t
    }

    /// Consumes the symbol or throws "expected `expected` …" (written as the message should say it: `"')'"`).
    func expect(_ symbol: SQLSymbol, _ expected: String) throws {
        guard accept(symbol) else { throw unexpected(expected) }
    }

    /// Consumes a name (backticked, or a word that is not reserved) or throws "expected `what`".
    func identifier(_ what: String) throws -> (name: String, location: SourceLocation) {
        let t = token
        guard t.isIdentifier else { throw unexpected(what) }
        advance()
        return (t.text, t.location)
    }

    /// Consumes a string literal or throws.
    func string(_ what: String) throws -> String {
        let t = token
        guard t.kind == .string else { throw unexpected(what) }
        advance()
        return t.text
    }

    /// Counts one level of nesting; throws past ``SQLParser/maximumNestingDepth``. Pair with `leave()`.
    func enter() throws {
        depth += 1
        if depth > SQLParser.maximumNestingDepth {
            throw SQLError("nesting is deeper than \(SQLParser.maximumNestingDepth) levels", at: token.location)
        }
    }

    /// Ends a level of nesting begun with `enter()`.
    func leave() { depth -= 1 }

    // MARK: Script and statements

    /// `statement (';' statement)* [';']`; empty statements are skipped.
    func script() throws -> SQLScript {
        var statements: [SQLStatement] = []
        while true {
            while accept(.semicolon) {}
            if token.kind == .end { break }
            if try !viewStatement() { statements.append(try statement()) }
            if accept(.semicolon) { continue }
            if token.kind == .end { break }
            throw unexpected("';'")
        }
        return SQLScript(statements: statements)
    }

    private func statement() throws -> SQLStatement {
        if token.isKeyword("CREATE") { return try create() }
        if token.isKeyword("SET") { return .set(try set()) }
        if token.isKeyword("INSERT") { return .insert(try insert()) }
        throw unexpected("CREATE, SET or INSERT")
    }

    private func create() throws -> SQLStatement {
        let start = try expect(keyword: "CREATE").location
        let temporary = accept(keyword: "TEMPORARY")
        if temporary && accept(keyword: "SYSTEM") {
            guard token.isKeyword("FUNCTION") else { throw unexpected("FUNCTION") }
        }
        if accept(keyword: "TABLE") {
            let table = try createTable(at: start)
            try views.declareTable(table.name, at: start)
            return .createTable(table)
        }
        if accept(keyword: "FUNCTION") { return .createFunction(try createFunction(at: start)) }
        throw unexpected(temporary ? "TABLE, VIEW, SYSTEM or FUNCTION" : "TEMPORARY, TABLE, VIEW or FUNCTION")
    }

    private func ifNotExists() throws {
        if accept(keyword: "IF") {
            try expect(keyword: "NOT")
            try expect(keyword: "EXISTS")
        }
    }

    /// After `CREATE [TEMPORARY] TABLE`.
    private func createTable(at start: SourceLocation) throws -> CreateTableStatement {
        try ifNotExists()
        let name = try identifier("a table name").name
        try expect(.leftParen, "'('")
        var columns: [ColumnDefinition] = []
        var primaryKey: [String]?
        var watermark: WatermarkDeclaration?
        var processingTime: String?
        repeat {
            let constraintStart = token
            let isConstraint = token.isKeyword("CONSTRAINT") && peek(1).isIdentifier && peek(2).isKeyword("PRIMARY")
            if isConstraint || (token.isKeyword("PRIMARY") && peek(1).isKeyword("KEY")) {
                if accept(keyword: "CONSTRAINT") { _ = try identifier("a constraint name") }
                try expect(keyword: "PRIMARY")
                try expect(keyword: "KEY")
                try expect(.leftParen, "'('")
                var keys: [String] = []
                repeat { keys.append(try identifier("a column name").name) } while accept(.comma)
                try expect(.rightParen, "')'")
                try notEnforced()
                guard primaryKey == nil else {
                    throw SQLError("a table can have only one PRIMARY KEY", at: constraintStart.location)
                }
                primaryKey = keys
            } else if token.isKeyword("WATERMARK") && peek(1).isKeyword("FOR") {
                let location = token.location
                advance(); advance()
                let column = try identifier("the event-time column").name
                try expect(keyword: "AS")
                guard watermark == nil else { throw SQLError("a table can have only one WATERMARK", at: location) }
                watermark = WatermarkDeclaration(column: column, expression: try expression(), location: location)
            } else if token.isIdentifier && peek(1).isKeyword("AS") {
                // A computed column: PyFn computes `name AS PROCTIME()` (processing time) only.
                let column = try identifier("a column name")
                advance()
                let value = try expression()
                guard case .call(let function, let arguments, _, _) = value, function.uppercased() == "PROCTIME", arguments.isEmpty else {
                    throw SQLError("computed column '\(column.name)': PyFn computes only `\(column.name) AS PROCTIME()`", at: value.location)
                }
                guard processingTime == nil else { throw SQLError("a table can have only one PROCTIME() column", at: column.location) }
                processingTime = column.name
            } else {
                let column = try identifier("a column name")
                let type = try self.type()
                if token.isKeyword("PRIMARY") {
                    advance()
                    try expect(keyword: "KEY")
                    try notEnforced()
                    guard primaryKey == nil else {
                        throw SQLError("a table can have only one PRIMARY KEY", at: column.location)
                    }
                    primaryKey = [column.name]
                }
                if accept(keyword: "COMMENT") { _ = try string("a comment string") }
                columns.append(ColumnDefinition(name: column.name, type: type, location: column.location))
            }
        } while accept(.comma)
        try expect(.rightParen, "',' or ')'")
        if accept(keyword: "COMMENT") { _ = try string("a comment string") }

        var options: [(key: String, value: String)] = []
        if accept(keyword: "WITH") {
            try expect(.leftParen, "'('")
            if !accept(.rightParen) {
                repeat {
                    let key = try string("an option key ('key' = 'value')")
                    try expect(.equal, "'='")
                    let value = try string("an option value string")
                    options.append((key, value))
                } while accept(.comma)
                try expect(.rightParen, "',' or ')'")
            }
        }
        var statement = CreateTableStatement(name: name, columns: columns, primaryKey: primaryKey ?? [], options: options,
                                             location: start)
        statement.watermark = watermark
        statement.processingTimeColumn = processingTime
        return statement
    }

    private func notEnforced() throws {
        guard token.isKeyword("NOT"), peek(1).isKeyword("ENFORCED") else { throw unexpected("NOT ENFORCED") }
        advance()
        advance()
    }

    /// After `CREATE [TEMPORARY [SYSTEM]] FUNCTION`.
    private func createFunction(at start: SourceLocation) throws -> CreateFunctionStatement {
        try ifNotExists()
        let name = try identifier("a function name").name
        try expect(keyword: "AS")
        let object = try string("the Python object as a string ('module.function')")
        var language: String?
        if accept(keyword: "LANGUAGE") {
            language = try identifier("a language name").name.uppercased()
        }
        return CreateFunctionStatement(name: name, pythonObject: object, language: language, location: start)
    }

    /// `SET 'key' = 'value'`, or with a bare key and value: `SET parallelism.default = 4`.
    private func set() throws -> SetStatement {
        let start = try expect(keyword: "SET").location
        let key: String
        if token.kind == .string {
            key = token.text
            advance()
        } else {
            guard token.kind == .word || token.kind == .quotedIdentifier else { throw unexpected("a setting key") }
            // A bare key is the run of touching words, numbers, dots and dashes: `table.exec.mini-batch.enabled`.
            let first = token
            var last = token
            advance()
            while token.range.lowerBound == last.range.upperBound, isBareKeyPart(token) {
                last = token
                advance()
            }
            key = first.kind == .quotedIdentifier && first == last
                ? first.text : text(from: first.range.lowerBound, to: last.range.upperBound, fallback: last.text)
        }
        try expect(.equal, "'='")
        let value: String
        if token.kind == .string {
            value = token.text
            advance()
        } else {
            // A bare value is a run of touching tokens: `batch`, `4`, `5s`, `-1`, `Europe/Berlin`.
            let first = token
            guard isBareValuePart(first) else { throw unexpected("a setting value") }
            var last = first
            advance()
            while token.range.lowerBound == last.range.upperBound, isBareValuePart(token) {
                last = token
                advance()
            }
            value = text(from: first.range.lowerBound, to: last.range.upperBound, fallback: last.text)
        }
        return SetStatement(key: key, value: value, location: start)
    }

    private func isBareValuePart(_ t: SQLToken) -> Bool {
        switch t.kind {
        case .word, .integer, .decimal: return true
        case .symbol(let s): return s != .semicolon && s != .comma && s != .leftParen && s != .rightParen
        default: return false
        }
    }

    private func isBareKeyPart(_ t: SQLToken) -> Bool {
        switch t.kind {
        case .word, .integer, .decimal, .symbol(.dot), .symbol(.minus): return true
        default: return false
        }
    }

    /// The source text between two offsets, or `fallback` if they are out of range.
    private func text(from lower: Int, to upper: Int, fallback: String) -> String {
        guard lower >= 0, lower <= upper, upper <= source.count else { return fallback }
        return String(source[lower..<upper])
    }

    /// `INSERT INTO name SELECT …`.
    private func insert() throws -> InsertStatement {
        let start = try expect(keyword: "INSERT").location
        try expect(keyword: "INTO")
        let (table, tableLocation) = try identifier("a table name")
        try views.refuseAsSink(table, at: tableLocation)
        if token.isKeyword("VALUES") {
            let rows = try valuesRows()
            return InsertStatement(table: table, query: SelectStatement(items: [.star(qualifier: nil, location: rows.location)], from: rows.reference,
                                                                        location: rows.location), location: start)
        }
        guard token.isKeyword("SELECT") else { throw unexpected("SELECT or VALUES") }
        let query = try select()
        return InsertStatement(table: table, query: query, location: start)
    }

    // MARK: Queries

    /// `SELECT items FROM source [lateral join] [WHERE condition] [GROUP BY expressions] [WINDOW name AS (…), …]`.
    func select() throws -> SelectStatement {
        try enter()
        defer { leave() }
        let start = try expect(keyword: "SELECT").location
        var items: [SelectItem] = []
        repeat { items.append(try selectItem()) } while accept(.comma)
        guard token.isKeyword("FROM") else { throw unexpected(items.isEmpty ? "FROM" : "',' or FROM") }
        advance()
        let window = try windowTableFunction()
        let from = try window.map { try self.table(after: $0) } ?? tableReference()
        let lateral = try lateralJoin()
        var condition: SQLExpression?
        if accept(keyword: "WHERE") { condition = try expression() }
        var groupBy: [SQLExpression] = []
        if accept(keyword: "GROUP") {
            try expect(keyword: "BY")
            repeat { groupBy.append(try expression()) } while accept(.comma)
        }
        items = try namedWindowsResolved(in: items)
        var statement = SelectStatement(items: items, from: from, lateral: lateral, condition: condition, groupBy: groupBy,
                                        location: start)
        statement.window = window == nil ? nil : pendingWindow
        return statement
    }

    /// `TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(ts), INTERVAL …[, INTERVAL …]))` up to the inner `TABLE t`
    /// (left for ``table(after:)``); nil when FROM names a table or subquery.
    private func windowTableFunction() throws -> WindowTableFunction? {
        guard token.isKeyword("TABLE"), peek(1).isSymbol(.leftParen) else { return nil }
        advance(); advance()
        let function = try identifier("TUMBLE, HOP or CUMULATE")
        let kind = function.name.uppercased()
        guard ["TUMBLE", "HOP", "CUMULATE"].contains(kind) else {
            throw SQLError("unknown window function '\(function.name)' (known: TUMBLE, HOP, CUMULATE)", at: function.location)
        }
        try expect(.leftParen, "'('")
        guard token.isKeyword("TABLE") || token.isSymbol(.leftParen) else { throw unexpected("TABLE and the table's name, or (SELECT …)") }
        return WindowTableFunction(kind: kind, timeColumn: "", intervals: [], location: function.location)
    }

    /// After `TABLE(KIND(`: `TABLE t` (or `TABLE (SELECT …)`, `(SELECT …)`), `DESCRIPTOR(ts), intervals))` and an
    /// optional alias; `window` gets the descriptor and intervals.
    private func table(after window: WindowTableFunction) throws -> TableReference {
        let tableLocation = token.location
        let startsWithTable = accept(keyword: "TABLE")
        var subquery: SelectStatement?
        var tableName = ""
        if token.isSymbol(.leftParen) {
            advance()
            guard token.isKeyword("SELECT") else { throw unexpected("SELECT") }
            subquery = try select()
            try expect(.rightParen, "')'")
        } else {
            guard startsWithTable else { throw unexpected("TABLE and the table's name, or (SELECT …)") }
            tableName = try identifier("a table name").name
        }
        try expect(.comma, "','")
        let descriptor = try identifier("DESCRIPTOR(time column)")
        guard descriptor.name.uppercased() == "DESCRIPTOR" else { throw SQLError("expected DESCRIPTOR(time column)", at: descriptor.location) }
        try expect(.leftParen, "'('")
        let column = try identifier("the time column")
        try expect(.rightParen, "')'")
        var intervals: [SQLExpression] = []
        while accept(.comma) { intervals.append(try expression()) }
        try expect(.rightParen, "')'")  // the window function's
        try expect(.rightParen, "')'")  // TABLE's
        // Set after the subquery was read (its own select() leaves pendingWindow as its FROM had it).
        pendingWindow = WindowTableFunction(kind: window.kind, timeColumn: column.name, intervals: intervals, location: window.location)
        let alias = try alias()
        if let subquery { return .subquery(subquery, alias: alias, location: tableLocation) }
        return views.reference(tableName, alias: alias, at: tableLocation)
    }

    private func selectItem() throws -> SelectItem {
        if token.isSymbol(.star) {
            let location = token.location
            advance()
            return .star(qualifier: nil, location: location)
        }
        if token.isIdentifier && peek(1).isSymbol(.dot) && peek(2).isSymbol(.star) {
            let qualifier = token
            advance(); advance(); advance()
            return .star(qualifier: qualifier.text, location: qualifier.location)
        }
        let value = try expression()
        return .expression(value, alias: try alias())
    }

    /// `[AS] name`, or nil when no name follows.
    private func alias() throws -> String? {
        if accept(keyword: "AS") { return try identifier("an alias").name }
        if token.isIdentifier {
            defer { advance() }
            return token.text
        }
        return nil
    }

    /// `name [[AS] alias]` or `(SELECT …) [AS] alias`.
    private func tableReference() throws -> TableReference {
        if token.isSymbol(.leftParen) {
            let location = token.location
            advance()
            if token.isKeyword("VALUES") { return try valuesTable(at: location) }
            guard token.isKeyword("SELECT") else { throw unexpected("SELECT or VALUES") }
            let query = try select()
            try expect(.rightParen, "')'")
            return .subquery(query, alias: try alias(), location: location)
        }
        let table = try identifier("a table name or '('")
        return views.reference(table.name, alias: try alias(), at: table.location)
    }

    /// `, LATERAL TABLE(…)`, `CROSS JOIN LATERAL TABLE(…)`, `[INNER] JOIN LATERAL TABLE(…) ON TRUE` (inner) or
    /// `LEFT [OUTER] JOIN LATERAL TABLE(…) ON TRUE` (left outer); nil when none follows.
    private func lateralJoin() throws -> LateralJoin? {
        var leftOuter = false
        var needsOn = false
        if accept(.comma) {
        } else if accept(keyword: "CROSS") {
            try expect(keyword: "JOIN")
        } else if accept(keyword: "LEFT") {
            _ = accept(keyword: "OUTER")
            try expect(keyword: "JOIN")
            leftOuter = true
            needsOn = true
        } else if token.isKeyword("INNER") || token.isKeyword("JOIN") {
            _ = accept(keyword: "INNER")
            try expect(keyword: "JOIN")
            needsOn = true
        } else {
            return nil
        }
        let location = try expect(keyword: "LATERAL").location
        try expect(keyword: "TABLE")
        try expect(.leftParen, "'('")
        let function = try identifier("a table function call")
        guard token.isSymbol(.leftParen) else { throw unexpected("'('") }
        let arguments = try argumentList(allowingStarAndDistinct: false).arguments
        try expect(.rightParen, "')'")  // the call's
        try expect(.rightParen, "')'")  // TABLE's
        var alias: String?
        var columnNames: [String] = []
        if accept(keyword: "AS") {
            alias = try identifier("an alias").name
        } else if token.isIdentifier {
            alias = token.text
            advance()
        }
        if alias != nil && accept(.leftParen) {
            repeat { columnNames.append(try identifier("a column name").name) } while accept(.comma)
            try expect(.rightParen, "',' or ')'")
        }
        if needsOn {
            try expect(keyword: "ON")
            guard token.isKeyword("TRUE") else { throw unexpected("TRUE (only ON TRUE joins a lateral table)") }
            advance()
        }
        return LateralJoin(function: function.name, arguments: arguments, alias: alias, columnNames: columnNames,
                           leftOuter: leftOuter, location: location)
    }

    // MARK: Expressions

    /// Binding strength of the binary levels; NOT sits between AND and the comparisons.
    private enum Level {
        static let or = 1, and = 2, not = 3, comparison = 4, additive = 5, multiplicative = 6
    }

    /// A full expression.
    func expression() throws -> SQLExpression {
        try enter()
        defer { leave() }
        return try binary(atLeast: Level.or)
    }

    private func binaryOperator(_ t: SQLToken) -> (SQLBinaryOperator, Int)? {
        switch t.kind {
        case .word:
            switch t.keyword {
            case "OR": return (.or, Level.or)
            case "AND": return (.and, Level.and)
            default: return nil
            }
        case .symbol(let s):
            switch s {
            case .equal: return (.equal, Level.comparison)
            case .notEqual: return (.notEqual, Level.comparison)
            case .less: return (.less, Level.comparison)
            case .lessOrEqual: return (.lessOrEqual, Level.comparison)
            case .greater: return (.greater, Level.comparison)
            case .greaterOrEqual: return (.greaterOrEqual, Level.comparison)
            case .plus: return (.plus, Level.additive)
            case .minus: return (.minus, Level.additive)
            case .concat: return (.concat, Level.additive)
            case .star: return (.times, Level.multiplicative)
            case .slash: return (.divide, Level.multiplicative)
            case .percent: return (.modulo, Level.multiplicative)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Precedence climbing over the binary operators at `minimum` strength or more, left-associative.
    private func binary(atLeast minimum: Int) throws -> SQLExpression {
        let start = token.location
        var lhs: SQLExpression
        if minimum <= Level.not && token.isKeyword("NOT") {
            advance()
            try enter()
            defer { leave() }
            lhs = .unary(.not, try binary(atLeast: Level.not), location: start)
        } else {
            lhs = try unary()
        }
        while true {
            if minimum <= Level.comparison && token.isKeyword("IS") {
                advance()
                let negated = accept(keyword: "NOT")
                guard accept(keyword: "NULL") else { throw unexpected(negated ? "NULL" : "NULL or NOT NULL") }
                lhs = .isNull(lhs, negated: negated, location: start)
                continue
            }
            guard let (op, level) = binaryOperator(token), level >= minimum else { break }
            advance()
            let rhs = try binary(atLeast: level + 1)
            lhs = .binary(op, lhs, rhs, location: start)
        }
        return lhs
    }

    /// `-operand` or a primary expression.
    private func unary() throws -> SQLExpression {
        guard token.isSymbol(.minus) else { return try primary() }
        let start = token.location
        advance()
        try enter()
        defer { leave() }
        return .unary(.negate, try unary(), location: start)
    }

    private func primary() throws -> SQLExpression {
        let t = token
        switch t.kind {
        case .integer:
            advance()
            if let value = Int64(t.text) { return .literal(.integer(value), location: t.location) }
            return .literal(.decimal(t.text), location: t.location)  // too big for BIGINT: Flink reads DECIMAL
        case .decimal:
            advance()
            return .literal(.decimal(t.text), location: t.location)
        case .string:
            advance()
            return .literal(.string(t.text), location: t.location)
        case .symbol(.leftParen):
            advance()
            let inner = try expression()
            try expect(.rightParen, "')'")
            return inner
        case .word where t.keyword == "TRUE" || t.keyword == "FALSE":
            advance()
            return .literal(.boolean(t.keyword == "TRUE"), location: t.location)
        case .word where t.keyword == "NULL":
            advance()
            return .literal(.null, location: t.location)
        case .word where ["DATE", "TIME", "TIMESTAMP"].contains(t.keyword) && peek(1).kind == .string:
            // A typed literal (`DATE '2020-01-01'`, `TIME '12:00:00.123'`, `TIMESTAMP '2020-01-01 08:30:00'`): a CAST
            // of the text, checked when bound; TIME and TIMESTAMP take as many fractional digits as written.
            advance()
            let text = token.text
            advance()
            let fraction = text.split(separator: ".").count == 2 ? text.split(separator: ".")[1].count : 0
            let type: SQLType = t.keyword == "DATE" ? .date : t.keyword == "TIME" ? .time(min(fraction, 9)) : .timestamp(min(fraction, 9))
            return .cast(.literal(.string(text), location: t.location), type.notNull, location: t.location)
        case .word where t.keyword == "INTERVAL" && peek(1).kind == .string:
            advance()
            let amount = token
            advance()
            let unit = try identifier("an interval unit (SECOND, MINUTE, HOUR, DAY, MILLISECOND)")
            var name = unit.name.uppercased()
            if name.hasSuffix("S") { name.removeLast() }
            guard ["MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"].contains(name) else {
                throw SQLError("unknown interval unit '\(unit.name)' (known: MILLISECOND, SECOND, MINUTE, HOUR, DAY)", at: unit.location)
            }
            return .call(name: SQLExpression.intervalCallName,
                         arguments: [.literal(.string(amount.text), location: amount.location), .literal(.string(name), location: unit.location)],
                         distinct: false, location: t.location)
        case .word where t.keyword == "CAST" && peek(1).isSymbol(.leftParen):
            advance(); advance()
            let value = try expression()
            try expect(keyword: "AS")
            let type = try self.type()
            try expect(.rightParen, "')'")
            return .cast(value, type, location: t.location)
        default:
            break
        }
        guard t.isIdentifier else { throw unexpected("an expression") }
        advance()
        if token.isSymbol(.leftParen) {
            let (arguments, distinct) = try argumentList(allowingStarAndDistinct: true)
            try expect(.rightParen, "')'")
            let call = SQLExpression.call(name: t.text, arguments: arguments, distinct: distinct, location: t.location)
            return token.isKeyword("OVER") ? try over(call) : call
        }
        if accept(.dot) {
            let column = try identifier("a column name")
            return .column(name: column.name, qualifier: t.text, location: t.location)
        }
        return .column(name: t.text, qualifier: nil, location: t.location)
    }

    /// After an aggregate call: `OVER ([PARTITION BY e, …] ORDER BY time [ASC] [frame])` or `OVER name` (a window of
    /// the WINDOW clause), kept as the call `$over(call, $partition(e, …), time, $frame('ROWS' | 'RANGE', bound))`
    /// (see ``OverWindowSyntax``), or `$over(call, $window('name'))` until ``select()`` puts the named window in.
    private func over(_ call: SQLExpression) throws -> SQLExpression {
        let location = try expect(keyword: "OVER").location
        if token.isIdentifier {
            let name = try identifier("a window name")
            let reference = SQLExpression.call(name: OverWindowSyntax.windowReferenceName, arguments: [.literal(.string(name.name), location: name.location)],
                                               distinct: false, location: name.location)
            return .call(name: OverWindowSyntax.overName, arguments: [call, reference], distinct: false, location: location)
        }
        return .call(name: OverWindowSyntax.overName, arguments: [call] + (try windowSpecification(at: location)), distinct: false, location: location)
    }

    /// `([PARTITION BY e, …] ORDER BY time [ASC] [ROWS|RANGE [BETWEEN] UNBOUNDED|n|INTERVAL … PRECEDING [AND CURRENT
    /// ROW]])`: `$partition(e, …)`, the time, and `$frame(unit, bound)` (no frame: RANGE UNBOUNDED, as in Flink).
    func windowSpecification(at location: SourceLocation) throws -> [SQLExpression] {
        try expect(.leftParen, "'(' or a window name")
        var partition: [SQLExpression] = []
        if accept(keyword: "PARTITION") {
            try expect(keyword: "BY")
            repeat { partition.append(try expression()) } while accept(.comma)
        }
        try expect(keyword: "ORDER")
        try expect(keyword: "BY")
        let order = try expression()
        _ = accept(keyword: "ASC")
        var frame = SQLExpression.call(name: OverWindowSyntax.frameName, arguments: [.literal(.string("RANGE"), location: location),
                                       .literal(.string("UNBOUNDED"), location: location)], distinct: false, location: location)
        if token.isKeyword("ROWS") || token.isKeyword("RANGE") {
            let unit = token.keyword
            let frameLocation = token.location
            advance()
            // `ROWS UNBOUNDED PRECEDING` is short for `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`.
            let between = accept(keyword: "BETWEEN")
            let bound: SQLExpression
            if token.isKeyword("UNBOUNDED") {
                advance()
                bound = .literal(.string("UNBOUNDED"), location: frameLocation)
            } else {
                bound = try unary()
            }
            try expect(keyword: "PRECEDING")
            if between {
                try expect(keyword: "AND")
                try expect(keyword: "CURRENT")
                try expect(keyword: "ROW")
            }
            frame = .call(name: OverWindowSyntax.frameName, arguments: [.literal(.string(unit), location: frameLocation), bound],
                          distinct: false, location: frameLocation)
        }
        try expect(.rightParen, "')'")
        return [.call(name: OverWindowSyntax.partitionName, arguments: partition, distinct: false, location: location), order, frame]
    }

    /// From `(` up to (not including) the closing `)`: `()`, `(*)`, `([DISTINCT] a, b, …)`.
    private func argumentList(allowingStarAndDistinct: Bool) throws -> (arguments: [SQLExpression], distinct: Bool) {
        try expect(.leftParen, "'('")
        if token.isSymbol(.rightParen) { return ([], false) }
        if allowingStarAndDistinct && token.isSymbol(.star) && peek(1).isSymbol(.rightParen) {
            let location = token.location
            advance()
            return ([.star(location: location)], false)
        }
        let distinct = allowingStarAndDistinct && accept(keyword: "DISTINCT")
        var arguments: [SQLExpression] = []
        repeat { arguments.append(try expression()) } while accept(.comma)
        guard token.isSymbol(.rightParen) else { throw unexpected("',' or ')'") }
        return (arguments, distinct)
    }
}
