/// The punctuation and operators of the SQL subset.
enum SQLSymbol: Sendable, Hashable {
    case leftParen, rightParen, comma, semicolon, dot, star
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    case plus, minus, slash, percent, concat
}

/// One token of a job file, with where it starts and ends.
struct SQLToken: Sendable, Hashable {
    /// What sort of token it is.
    enum Kind: Sendable, Hashable {
        /// An unquoted word: a keyword or an identifier (`text` as written).
        case word
        /// A `` `backticked` `` identifier (`text` without the backticks, ``` `` ``` unescaped).
        case quotedIdentifier
        /// A `'string'` literal (`text` without the quotes, `''` unescaped).
        case string
        /// Digits only.
        case integer
        /// A number with a point or an exponent, kept as written.
        case decimal
        /// Punctuation or an operator (`text` as written, e.g. `!=` for `.notEqual`).
        case symbol(SQLSymbol)
        /// The end of the input.
        case end
        /// Text the lexer could not read; `text` is the message. Nothing in the grammar accepts it, so the
        /// parser reports it as soon as it reaches it, and errors earlier in the file still come first.
        case invalid
    }

    /// The token's sort.
    var kind: Kind
    /// Its text (see `Kind`).
    var text: String
    /// The upper-cased text of a `.word`, for keyword comparison; empty otherwise.
    var keyword: String
    /// Where its first character stands.
    var location: SourceLocation
    /// Where the character after its last one stands.
    var endLocation: SourceLocation
    /// Its characters' offsets in the source.
    var range: Range<Int>

    init(kind: Kind, text: String, location: SourceLocation, endLocation: SourceLocation, range: Range<Int>) {
        self.kind = kind
        self.text = text
        self.keyword = kind == .word ? text.uppercased() : ""
        self.location = location
        self.endLocation = endLocation
        self.range = range
    }

    /// Words that are never taken as unquoted identifiers (names or aliases); backticks make any word a name.
    static let reservedWords: Set<String> = [
        "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "DISTINCT", "ELSE", "END",
        "EXISTS", "FALSE", "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER", "INSERT", "INTO", "IS", "JOIN",
        "LATERAL", "LEFT", "LIKE", "LIMIT", "NOT", "NULL", "ON", "OR", "ORDER", "OUTER", "RIGHT", "SELECT",
        "SET", "TABLE", "THEN", "TRUE", "UNION", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
    ]

    /// True for an unquoted word spelled `keyword` in any case.
    func isKeyword(_ keyword: String) -> Bool { kind == .word && self.keyword == keyword }

    /// True for a name: a backticked identifier or an unreserved word.
    var isIdentifier: Bool {
        switch kind {
        case .quotedIdentifier: return true
        case .word: return !Self.reservedWords.contains(keyword)
        default: return false
        }
    }

    /// True for the given symbol.
    func isSymbol(_ symbol: SQLSymbol) -> Bool { kind == .symbol(symbol) }

    /// The token as an error message names it, e.g. `'FROM'`, `string 'abc'`, `end of input`.
    var displayName: String {
        switch kind {
        case .word, .integer, .decimal, .symbol: return "'\(Self.abbreviated(text))'"
        case .quotedIdentifier: return "`\(Self.abbreviated(text))`"
        case .string: return "string '\(Self.abbreviated(text))'"
        case .end: return "end of input"
        case .invalid: return text
        }
    }

    private static func abbreviated(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(37)) + "..." : text
    }
}
