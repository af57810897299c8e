/// Splits job-file text into tokens, skipping whitespace, `--` line comments and `/* */` block comments.
///
/// Lines and columns are 1-based and count characters (a tab is one column; `\r\n` is one line break).
/// Lexing never throws: text it cannot read becomes a final `.invalid` token carrying the message, which the
/// parser reports when it gets there. Otherwise the tokens end with one `.end` token that stands just past the
/// last real token.
struct SQLLexer {
    private let source: [Character]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    /// A lexer over `source`; `file` names it in locations.
    init(source: [Character], file: String) {
        self.source = source
        self.file = file
    }

    /// All tokens, ending with `.end` or `.invalid`.
    mutating func tokenize() -> [SQLToken] {
        var tokens: [SQLToken] = []
        while true {
            if let failure = skipTrivia() {
                tokens.append(failure)
                return tokens
            }
            guard index < source.count else {
                let end = tokens.last?.endLocation ?? SourceLocation(file: file, line: 1, column: 1)
                tokens.append(SQLToken(kind: .end, text: "", location: end, endLocation: end, range: index..<index))
                return tokens
            }
            let token = nextToken()
            tokens.append(token)
            if token.kind == .invalid { return tokens }
        }
    }

    // MARK: Characters

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Character? {
        let i = index + offset
        return i >= 0 && i < source.count ? source[i] : nil
    }

    private mutating func advance() {
        guard index < source.count else { return }
        let c = source[index]
        index += 1
        if c == "\n" || c == "\r\n" || c == "\r" {
            line += 1
            column = 1
        } else {
            column += 1
        }
    }

    private static func isDigit(_ c: Character?) -> Bool {
        guard let c, c.isASCII, let v = c.asciiValue else { return false }
        return v >= 48 && v <= 57
    }

    private static func isIdentifierStart(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c == "_" || c.isLetter
    }

    private static func isIdentifierPart(_ c: Character?) -> Bool {
        isIdentifierStart(c) || isDigit(c) || c == "$"
    }

    /// Skips whitespace and comments; returns an `.invalid` token for an unterminated block comment.
    private mutating func skipTrivia() -> SQLToken? {
        while let c = peek() {
            if c.isWhitespace {
                advance()
            } else if c == "-" && peek(1) == "-" {
                while let d = peek(), !(d == "\n" || d == "\r\n" || d == "\r") { advance() }
            } else if c == "/" && peek(1) == "*" {
                let start = location, startIndex = index
                advance(); advance()
                var closed = false
                while index < source.count {
                    if peek() == "*" && peek(1) == "/" {
                        advance(); advance()
                        closed = true
                        break
                    }
                    advance()
                }
                if !closed { return invalid("unterminated comment", at: start, from: startIndex) }
            } else {
                break
            }
        }
        return nil
    }

    private func invalid(_ message: String, at start: SourceLocation, from startIndex: Int) -> SQLToken {
        SQLToken(kind: .invalid, text: message, location: start, endLocation: location, range: startIndex..<index)
    }

    private func token(_ kind: SQLToken.Kind, _ text: String, at start: SourceLocation, from startIndex: Int) -> SQLToken {
        SQLToken(kind: kind, text: text, location: start, endLocation: location, range: startIndex..<index)
    }

    // MARK: Tokens

    private mutating func nextToken() -> SQLToken {
        let start = location, startIndex = index
        guard let c = peek() else { return token(.end, "", at: start, from: startIndex) }

        if Self.isIdentifierStart(c) {
            while Self.isIdentifierPart(peek()) { advance() }
            return token(.word, String(source[startIndex..<index]), at: start, from: startIndex)
        }
        if Self.isDigit(c) { return number(at: start, from: startIndex) }
        if c == "'" { return quoted(by: "'", kind: .string, what: "string literal", at: start, from: startIndex) }
        if c == "`" {
            let t = quoted(by: "`", kind: .quotedIdentifier, what: "quoted identifier", at: start, from: startIndex)
            if t.kind == .quotedIdentifier && t.text.isEmpty {
                return invalid("empty quoted identifier", at: start, from: startIndex)
            }
            return t
        }

        advance()
        let next = peek()
        let symbol: SQLSymbol
        switch c {
        case "(": symbol = .leftParen
        case ")": symbol = .rightParen
        case ",": symbol = .comma
        case ";": symbol = .semicolon
        case ".": symbol = .dot
        case "*": symbol = .star
        case "+": symbol = .plus
        case "-": symbol = .minus
        case "/": symbol = .slash
        case "%": symbol = .percent
        case "=": symbol = .equal
        case "<":
            if next == "=" { advance(); symbol = .lessOrEqual }
            else if next == ">" { advance(); symbol = .notEqual }
            else { symbol = .less }
        case ">":
            if next == "=" { advance(); symbol = .greaterOrEqual } else { symbol = .greater }
        case "!" where next == "=":
            advance()
            symbol = .notEqual
        case "|" where next == "|":
            advance()
            symbol = .concat
        default:
            return invalid("unexpected character '\(c)'", at: start, from: startIndex)
        }
        return token(.symbol(symbol), String(source[startIndex..<index]), at: start, from: startIndex)
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`; an `e` not followed by digits is left for the next token.
    private mutating func number(at start: SourceLocation, from startIndex: Int) -> SQLToken {
        var isDecimal = false
        while Self.isDigit(peek()) { advance() }
        if peek() == "." {
            isDecimal = true
            advance()
            while Self.isDigit(peek()) { advance() }
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if Self.isDigit(peek(signed ? 2 : 1)) {
                isDecimal = true
                advance()
                if signed { advance() }
                while Self.isDigit(peek()) { advance() }
            }
        }
        return token(isDecimal ? .decimal : .integer, String(source[startIndex..<index]), at: start, from: startIndex)
    }

    /// A literal between `quote`s where a doubled quote stands for one.
    private mutating func quoted(by quote: Character, kind: SQLToken.Kind, what: String,
                                 at start: SourceLocation, from startIndex: Int) -> SQLToken {
        advance()
        var text = ""
        while let c = peek() {
            advance()
            if c == quote {
                if peek() == quote {
                    advance()
                    text.append(quote)
                } else {
                    return token(kind, text, at: start, from: startIndex)
                }
            } else {
                text.append(c)
            }
        }
        return invalid("unterminated \(what)", at: start, from: startIndex)
    }
}
