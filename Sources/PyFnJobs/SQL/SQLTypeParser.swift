import PyFnRunner

/// The type rule of the grammar: Flink's type names and aliases, mapped onto ``SQLType``.
extension SQLGrammar {
    /// Type names Flink knows that PyFn does not carry; they get "unsupported" rather than "unknown".
    private static let unsupportedTypeNames: Set<String> = [
        "INTERVAL", "MULTISET", "RAW", "NULL", "STRUCTURED", "DESCRIPTOR", "VARIANT",
    ]

    /// `name [(parameters)] [<element types>] [NOT NULL | NULL]`.
    func type() throws -> SQLType {
        try enter()
        defer { leave() }
        let nameToken = token
        guard nameToken.kind == .word else { throw unexpected("a type") }
        advance()
        let kind: SQLType.Kind
        switch nameToken.keyword {
        case "BOOLEAN": kind = .boolean
        case "TINYINT": kind = .tinyint
        case "SMALLINT": kind = .smallint
        case "INT", "INTEGER": kind = .int
        case "BIGINT": kind = .bigint
        case "FLOAT", "REAL": kind = .float
        case "DOUBLE":
            _ = accept(keyword: "PRECISION")
            kind = .double
        case "DECIMAL", "DEC", "NUMERIC":
            var precision = 10, scale = 0
            if accept(.leftParen) {
                precision = try typeParameter(in: 1...38, what: "DECIMAL precision")
                if accept(.comma) {
                    scale = try typeParameter(in: 0...precision, what: "DECIMAL scale")
                    try expect(.rightParen, "')'")
                } else {
                    try expect(.rightParen, "',' or ')'")
                }
            }
            kind = .decimal(precision: precision, scale: scale)
        case "STRING":
            kind = .string
        case "VARCHAR", "CHAR", "CHARACTER":
            if nameToken.keyword == "CHARACTER" { _ = accept(keyword: "VARYING") }
            try optionalLength(what: "\(nameToken.keyword) length")
            kind = .string
        case "BYTES":
            kind = .bytes
        case "VARBINARY", "BINARY":
            try optionalLength(what: "\(nameToken.keyword) length")
            kind = .bytes
        case "DATE":
            kind = .date
        case "TIME":
            kind = .time(precision: try optionalPrecision(default: 0, what: "TIME precision"))
            try withoutTimeZone(of: nameToken)
        case "TIMESTAMP":
            let precision = try optionalPrecision(default: 6, what: "TIMESTAMP precision")
            kind = try withLocalTimeZone(of: nameToken) ? .timestampLTZ(precision: precision) : .timestamp(precision: precision)
        case "TIMESTAMP_LTZ":
            kind = .timestampLTZ(precision: try optionalPrecision(default: 6, what: "TIMESTAMP_LTZ precision"))
        case "ARRAY":
            try expect(.less, "'<'")
            let element = try type()
            try expect(.greater, "'>'")
            kind = .array(element)
        case "MAP":
            try expect(.less, "'<'")
            let key = try type()
            try expect(.comma, "','")
            let value = try type()
            try expect(.greater, "'>'")
            kind = .map(key: key, value: value)
        case "ROW":
            let angle = token.isSymbol(.less)
            guard angle || token.isSymbol(.leftParen) else { throw unexpected("'<' or '('") }
            advance()
            var fields: [SQLField] = []
            repeat {
                let name = try identifier("a field name").name
                fields.append(SQLField(name, try type()))
            } while accept(.comma)
            try expect(angle ? .greater : .rightParen, angle ? "',' or '>'" : "',' or ')'")
            kind = .row(fields)
        default:
            if Self.unsupportedTypeNames.contains(nameToken.keyword) {
                throw SQLError("unsupported type '\(nameToken.text)'", at: nameToken.location)
            }
            throw SQLError("unknown type '\(nameToken.text)'", at: nameToken.location)
        }
        var nullable = true
        if token.isKeyword("NOT") && peek(1).isKeyword("NULL") {
            advance()
            advance()
            nullable = false
        } else if accept(keyword: "NULL") {
            nullable = true
        }
        return SQLType(kind, nullable: nullable)
    }

    /// An integer type parameter within `range`.
    private func typeParameter(in range: ClosedRange<Int>, what: String) throws -> Int {
        let t = token
        guard t.kind == .integer else { throw unexpected("an integer \(what)") }
        guard let value = Int(t.text), range.contains(value) else {
            throw SQLError("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(t.text)",
                           at: t.location)
        }
        advance()
        return value
    }

    /// `[(n)]` after a string or binary type; the length is checked and dropped (PyFn's strings are unbounded).
    private func optionalLength(what: String) throws {
        guard accept(.leftParen) else { return }
        _ = try typeParameter(in: 1...Int(Int32.max), what: what)
        try expect(.rightParen, "')'")
    }

    /// `[(p)]` after TIME or TIMESTAMP: 0 through 9 fractional-second digits.
    private func optionalPrecision(default defaultValue: Int, what: String) throws -> Int {
        guard accept(.leftParen) else { return defaultValue }
        let value = try typeParameter(in: 0...9, what: what)
        try expect(.rightParen, "')'")
        return value
    }

    /// `[WITHOUT TIME ZONE]` after TIME; `WITH [LOCAL] TIME ZONE` is not supported there.
    private func withoutTimeZone(of nameToken: SQLToken) throws {
        if try withLocalTimeZone(of: nameToken) {
            throw SQLError("unsupported type '\(nameToken.text) WITH LOCAL TIME ZONE'", at: nameToken.location)
        }
    }

    /// After TIMESTAMP(p): true for `WITH LOCAL TIME ZONE` (TIMESTAMP_LTZ), false for `WITHOUT TIME ZONE` or nothing;
    /// `WITH TIME ZONE` is unsupported, as in Flink.
    private func withLocalTimeZone(of nameToken: SQLToken) throws -> Bool {
        if accept(keyword: "WITHOUT") {
            try expect(keyword: "TIME")
            try expect(keyword: "ZONE")
            return false
        }
        guard token.isKeyword("WITH") && (peek(1).isKeyword("TIME") || peek(1).isKeyword("LOCAL")) else { return false }
        advance()
        if accept(keyword: "LOCAL") {
            try expect(keyword: "TIME")
            try expect(keyword: "ZONE")
            return true
        }
        throw SQLError("unsupported type '\(nameToken.text) WITH TIME ZONE'", at: nameToken.location)
    }
}
