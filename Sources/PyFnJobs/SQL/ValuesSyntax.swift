/// The syntax of VALUES: `INSERT INTO t VALUES (1, 'a'), (2, 'b')` and `FROM (VALUES (1, 'a'), (2, 'b')) AS t(a, b)`.
/// Every row must have as many values as the first; the planner types the columns (``Planner/planValues``).
extension SQLGrammar {
    /// `VALUES (e, …), (e, …)`: the rows, as a table reference without alias, and where VALUES stands.
    func valuesRows() throws -> (reference: TableReference, location: SourceLocation) {
        let location = try expect(keyword: "VALUES").location
        var rows: [[SQLExpression]] = []
        repeat {
            let rowLocation = token.location
            try expect(.leftParen, "'(' and a row of values")
            var row: [SQLExpression] = []
            repeat { row.append(try expression()) } while accept(.comma)
            try expect(.rightParen, "',' or ')'")
            if let first = rows.first, first.count != row.count {
                throw SQLError("this VALUES row has \(row.count) values but the first has \(first.count)", at: rowLocation)
            }
            rows.append(row)
        } while accept(.comma)
        return (.values(rows, alias: nil, columns: [], location: location), location)
    }

    /// After `(` in FROM: `VALUES (…), … ) [AS] alias [(a, b, …)]`.
    func valuesTable(at location: SourceLocation) throws -> TableReference {
        guard case .values(let rows, _, _, _) = try valuesRows().reference else { preconditionFailure("valuesRows gives VALUES") }
        try expect(.rightParen, "')'")
        var alias: String?
        var columns: [String] = []
        if accept(keyword: "AS") || token.isIdentifier {
            alias = try identifier("an alias").name
            if accept(.leftParen) {
                let listLocation = token.location
                repeat { columns.append(try identifier("a column name").name) } while accept(.comma)
                try expect(.rightParen, "',' or ')'")
                if columns.count != rows[0].count {
                    throw SQLError("\(columns.count) column names for VALUES rows of \(rows[0].count) values", at: listLocation)
                }
            }
        }
        return .values(rows, alias: alias, columns: columns, location: location)
    }
}
