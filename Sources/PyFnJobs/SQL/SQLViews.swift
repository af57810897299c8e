/// Views in job files: `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name AS SELECT …` and `DROP [TEMPORARY] VIEW
/// [IF EXISTS] name`. As the Python Table API does with its views, a view is its query: every later table reference
/// to it (in FROM, a subquery, a window table function's `TABLE v`) reads as that query in parentheses, aliased by
/// the view's name, so its errors point at the view's own lines. A view is no statement of the parsed script.

/// The views a job file has defined so far, by lowercase name (table names are looked up ignoring case too).
struct SQLViews {
    private struct View {
        let name: String
        let query: SelectStatement
        let location: SourceLocation
    }
    private var views: [String: View] = [:]
    private var tables: [String: SourceLocation] = [:]

    /// Records a CREATE TABLE; a view of that name is an error there.
    mutating func declareTable(_ name: String, at location: SourceLocation) throws {
        if let view = views[name.lowercased()] {
            throw SQLError("'\(name)' is already a view (defined at \(view.location.line):\(view.location.column)); a table cannot take its name", at: location)
        }
        tables[name.lowercased()] = location
    }

    /// Defines a view; an existing view or table of that name is an error unless `ifNotExists` (then nothing happens).
    mutating func define(_ name: String, query: SelectStatement, ifNotExists: Bool, at location: SourceLocation) throws {
        let key = name.lowercased()
        if let view = views[key] {
            if ifNotExists { return }
            throw SQLError("view '\(name)' already exists (defined at \(view.location.line):\(view.location.column)); DROP VIEW \(name) first", at: location)
        }
        if let table = tables[key] {
            throw SQLError("'\(name)' is already a table (created at \(table.line):\(table.column)); a view cannot take its name", at: location)
        }
        views[key] = View(name: name, query: query, location: location)
    }

    /// Drops a view; an unknown one is an error unless `ifExists`.
    mutating func drop(_ name: String, ifExists: Bool, at location: SourceLocation) throws {
        guard views.removeValue(forKey: name.lowercased()) != nil || ifExists else {
            let known = views.values.map(\.name).sorted()
            throw SQLError("view '\(name)' does not exist" + (known.isEmpty ? "" : " (views: \(known.joined(separator: ", ")))"), at: location)
        }
    }

    /// A table reference: the view's query as a subquery when `name` is a view, else the table.
    func reference(_ name: String, alias: String?, at location: SourceLocation) -> TableReference {
        guard let view = views[name.lowercased()] else { return .table(name: name, alias: alias, location: location) }
        return .subquery(view.query, alias: alias ?? view.name, location: location)
    }

    /// Refuses a view as an INSERT's target, as Flink does.
    func refuseAsSink(_ name: String, at location: SourceLocation) throws {
        if let view = views[name.lowercased()] {
            throw SQLError("'\(name)' is a view (defined at \(view.location.line):\(view.location.column)); INSERT INTO writes to a table", at: location)
        }
    }
}

extension SQLGrammar {
    /// Reads a CREATE VIEW or DROP VIEW statement into ``views`` when one is next; false (nothing read) otherwise.
    func viewStatement() throws -> Bool {
        let start = token.location
        let creates = token.isKeyword("CREATE")
        guard creates || token.isKeyword("DROP"),
              peek(1).isKeyword("VIEW") || (peek(1).isKeyword("TEMPORARY") && peek(2).isKeyword("VIEW")) else { return false }
        advance()
        _ = accept(keyword: "TEMPORARY")
        try expect(keyword: "VIEW")
        // IF NOT EXISTS after CREATE, IF EXISTS after DROP.
        let conditional = accept(keyword: "IF")
        if conditional {
            if creates { try expect(keyword: "NOT") }
            try expect(keyword: "EXISTS")
        }
        let name = try identifier("a view name")
        guard creates else {
            try views.drop(name.name, ifExists: conditional, at: name.location)
            return true
        }
        if token.isSymbol(.leftParen) {
            throw SQLError("PyFn's CREATE VIEW takes no column list; name the columns in the query (SELECT a AS x, …)", at: token.location)
        }
        try expect(keyword: "AS")
        guard token.isKeyword("SELECT") else { throw unexpected("SELECT") }
        try views.define(name.name, query: try select(), ifNotExists: conditional, at: start)
        return true
    }
}
