import Foundation
import PyFnArrow
import PyFnRunner

/// RFC 4180 CSV with Flink's `csv.*` options.
///
/// - `'csv.field-delimiter'` (default `,`; `\t` for a tab) and `'csv.quote-character'` (default `"`); a quoted field
///   may hold delimiters, doubled quotes and line breaks.
/// - NULL: a field equal to `'csv.null-literal'` (when set), or an empty unquoted field in a column that is not
///   STRING (an empty STRING field is the empty string; write `""` to be explicit).
/// - Header: a first line whose fields are exactly the column names is skipped; `'csv.skip-header' = 'true'`
///   skips the first line whatever it holds.
/// - Written records quote the fields that need it (delimiter, quote, line break, leading/trailing space) and empty
///   strings; NULL is written as the null literal or as an empty field. No header is written.
/// - Only scalar columns: ARRAY, MAP and ROW columns are rejected (use `'format' = 'json'`).
struct CSVFormat: LineFormat {
    let columns: [SQLField]
    let delimiter: UInt8
    let quote: UInt8
    let nullLiteral: String?
    let alwaysSkipHeader: Bool

    var multilineQuote: UInt8? { quote }

    /// How the fast reader treats each column's text.
    private enum FastKind { case string, integer(ClosedRange<Int64>), double, float, boolean, other }
    private let fastKinds: [FastKind]
    private let nullLiteralBytes: [UInt8]?

    init(_ options: TableOptions) throws {
        columns = options.table.columns
        let delimiterCharacter = try options.character("csv.field-delimiter", default: ",")
        let quoteCharacter = try options.character("csv.quote-character", default: "\"")
        guard delimiterCharacter != quoteCharacter, delimiterCharacter != "\n", quoteCharacter != "\n" else {
            throw options.error("'csv.field-delimiter' and 'csv.quote-character' must be different and not a line break")
        }
        delimiter = delimiterCharacter.asciiValue!
        quote = quoteCharacter.asciiValue!
        nullLiteral = options.string("csv.null-literal")
        alwaysSkipHeader = try options.bool("csv.skip-header", default: false)
        if let nested = columns.first(where: { $0.type.isNested }) {
            throw options.error("column '\(nested.name)' has type \(nested.type), which the csv format cannot hold; use 'format' = 'json'")
        }
        nullLiteralBytes = nullLiteral.map { Array($0.utf8) }
        fastKinds = columns.map { column in
            switch column.type.kind {
            case .string: return .string
            case .tinyint, .smallint, .int, .bigint: return .integer(TextValueCodec.integerRange(column.type.kind))
            case .double: return .double
            case .float: return .float
            case .boolean: return .boolean
            default: return .other
            }
        }
    }

    // MARK: - Fast reading

    /// What the fast reader made of one field (payload in a parallel UInt64).
    private enum Parsed: UInt8 { case null, integer, floating, boolean, utf8, generic }

    /// Reads an unquoted record field by field from its bytes straight into typed columns; records with a quote
    /// character go the general way. Rows, NULLs and error messages are those of ``decode(_:)`` + ``RowBatchBuilder/append(_:)``.
    func decode(_ record: ArraySlice<UInt8>, into builder: inout RowBatchBuilder) throws {
        let handled = try record.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            let length = buffer.count
            if memchr(base, Int32(quote), length) != nil { return false }
            let columnCount = columns.count
            // Field k is bytes bounds[k] ..< bounds[k + 1] - 1 (bounds[k + 1] is past its delimiter).
            return try withUnsafeTemporaryAllocation(of: Int.self, capacity: columnCount + 1) { bounds -> Bool in
                var fieldCount = 1
                var extraFieldAt = length
                bounds[0] = 0
                var i = 0
                while i < length {
                    if base[i] == delimiter {
                        if fieldCount < columnCount { bounds[fieldCount] = i + 1 }
                        if fieldCount == columnCount { extraFieldAt = i + 1 }
                        fieldCount += 1
                    }
                    i += 1
                }
                guard fieldCount == columnCount else {
                    throw fieldCountError(found: fieldCount, at: fieldCount > columnCount ? extraFieldAt : length)
                }
                bounds[columnCount] = length + 1
                return try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: columnCount) { payloads -> Bool in
                    try withUnsafeTemporaryAllocation(of: Parsed.self, capacity: columnCount) { parsed -> Bool in
                        var generic: [ArrowValue] = []
                        for c in 0..<columnCount {
                            let field = UnsafeBufferPointer(start: base + bounds[c], count: bounds[c + 1] - 1 - bounds[c])
                            let (kind, payload): (Parsed, UInt64)
                            do { (kind, payload) = try parseField(field, column: c, generic: &generic) } catch var located as RowDecodeError {
                                located.offset = bounds[c]
                                throw located
                            }
                            parsed[c] = kind
                            payloads[c] = payload
                        }
                        for c in 0..<columnCount where parsed[c] == .null && !builder.schema.fields[c].nullable {
                            throw RowDecodeError(message: "NULL in NOT NULL column", column: builder.schema.fields[c].name, value: "",
                                                 offset: bounds[c])
                        }
                        for c in 0..<columnCount {
                            let payload = payloads[c]
                            switch parsed[c] {
                            case .null: builder.appendNull(c)
                            case .integer: try builder.appendInteger(c, Int64(bitPattern: payload))
                            case .floating: try builder.appendFloating(c, Double(bitPattern: payload))
                            case .boolean: try builder.appendBoolean(c, payload != 0)
                            case .utf8:
                                try builder.appendUTF8(c, UnsafeRawBufferPointer(start: base + bounds[c], count: bounds[c + 1] - 1 - bounds[c]))
                            case .generic: try builder.appendChecked(c, generic[Int(payload)])
                            }
                        }
                        builder.endRow()
                        return true
                    }
                }
            }
        }
        if !handled { try builder.append(try decode(record)) }
    }

    /// One unquoted field of column `c`: its kind and payload (bits of the number, index into `generic`).
    @inline(__always)
    private func parseField(_ field: UnsafeBufferPointer<UInt8>, column c: Int, generic: inout [ArrowValue]) throws(RowDecodeError) -> (Parsed, UInt64) {
        let kind = fastKinds[c]
        if let nullLiteralBytes, isNullLiteral(field, nullLiteralBytes) { return (.null, 0) }
        if field.isEmpty {
            if case .string = kind { return (.utf8, 0) }
            return (.null, 0)
        }
        switch kind {
        case .string:
            if isASCII(field) { return (.utf8, 0) }
        case .integer(let range):
            if let x = Self.parseInteger(field), range.contains(x) { return (.integer, UInt64(bitPattern: x)) }
        case .double:
            if let x = Self.parseSimpleDouble(field) { return (.floating, x.bitPattern) }
        case .float:
            if let x = Self.parseSimpleDouble(field) { return (.floating, Double(Float(x)).bitPattern) }
        case .boolean:
            if field.count == 4 && field[0] | 0x20 == 0x74 && field[1] | 0x20 == 0x72 && field[2] | 0x20 == 0x75 && field[3] | 0x20 == 0x65 {
                return (.boolean, 1)
            }
            if field.count == 5 && field[0] | 0x20 == 0x66 && field[1] | 0x20 == 0x61 && field[2] | 0x20 == 0x6C
                && field[3] | 0x20 == 0x73 && field[4] | 0x20 == 0x65 {
                return (.boolean, 0)
            }
        case .other:
            break
        }
        // The general way, with its messages.
        let text = String(decoding: field, as: UTF8.self)
        let column = columns[c]
        do {
            generic.append(try TextValueCodec.parse(text, as: column.type))
        } catch {
            throw RowDecodeError(message: error.message, column: column.name, value: text)
        }
        return (.generic, UInt64(generic.count - 1))
    }

    /// Whether the unquoted field equals the null literal as strings compare (canonical equivalence beyond ASCII).
    @inline(__always)
    private func isNullLiteral(_ field: UnsafeBufferPointer<UInt8>, _ literal: [UInt8]) -> Bool {
        if field.elementsEqual(literal) { return true }
        if isASCII(field) && literal.allSatisfy({ $0 < 0x80 }) { return false }
        return String(decoding: field, as: UTF8.self) == nullLiteral
    }

    @inline(__always)
    private func isASCII(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        var any: UInt8 = 0
        for byte in field { any |= byte }
        return any < 0x80
    }

    /// `[+-]?[0-9]{1,18}` as an Int64 (what `Int64(String)` gives for such text); nil for anything else.
    @inline(__always)
    static func parseInteger(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if field[0] == 0x2D || field[0] == 0x2B { negative = field[0] == 0x2D; i = 1 }
        let digits = field.count - i
        guard digits >= 1 && digits <= 18 else { return nil }
        var value: Int64 = 0
        while i < field.count {
            let d = field[i] &- 0x30
            guard d < 10 else { return nil }
            value = value &* 10 &+ Int64(d)
            i += 1
        }
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }

    /// `[+-]?digits[.digits]` with at most 15 digits in all, as the correctly rounded Double (`Double(String)`
    /// gives the same); nil for anything else.
    @inline(__always)
    static func parseSimpleDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if field[0] == 0x2D || field[0] == 0x2B { negative = field[0] == 0x2D; i = 1 }
        var mantissa: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawPoint = false
        var digitsBeforePoint = 0
        while i < field.count {
            let byte = field[i]
            if byte == 0x2E {
                guard !sawPoint else { return nil }
                sawPoint = true
                digitsBeforePoint = digits
            } else {
                let d = byte &- 0x30
                guard d < 10 else { return nil }
                mantissa = mantissa &* 10 &+ Int64(d)
                digits += 1
                if sawPoint { fractionDigits += 1 }
            }
            i += 1
        }
        guard digits >= 1, digits <= 15 else { return nil }
        if sawPoint { guard digitsBeforePoint >= 1, fractionDigits >= 1 else { return nil } }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return negative ? -value : value
    }

    func decode(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [ArrowValue] {
        let fields = try split(record)
        guard fields.count == columns.count else {
            throw fieldCountError(found: fields.count, at: fields.count > columns.count ? fields[columns.count].offset : record.count)
        }
        var row: [ArrowValue] = []
        row.reserveCapacity(columns.count)
        for (column, field) in zip(columns, fields) {
            if !field.quoted && (field.text == nullLiteral || (field.text.isEmpty && column.type.kind != .string)) {
                row.append(.null)
                continue
            }
            do {
                row.append(try TextValueCodec.parse(field.text, as: column.type))
            } catch {
                throw RowDecodeError(message: error.message, column: column.name, value: field.text, offset: field.offset)
            }
        }
        return row
    }

    /// A record with `found` fields instead of one per column; `offset` is the first extra field's start, or the
    /// record's end when fields are missing.
    private func fieldCountError(found: Int, at offset: Int) -> RowDecodeError {
        RowDecodeError(message: "expected \(columns.count) field\(columns.count == 1 ? "" : "s"), found \(found)", offset: offset)
    }

    func isHeader(_ record: ArraySlice<UInt8>) -> Bool {
        if alwaysSkipHeader { return true }
        guard let fields = try? split(record) else { return false }
        return fields.map(\.text) == columns.map(\.name)
    }

    /// A row as a CSV record, written as Flink's CSV format writes it (Jackson's CSV writer with its default, loose
    /// quoting): numbers and booleans bare, a DECIMAL without trailing zeros; any other value in quotes when it is
    /// longer than 24 UTF-16 units or holds a character below the delimiter, the quote and the line break (for
    /// `,` and `"`: a space, `!"#$%&'()*+,` or a control character), its quotes doubled. An empty string is
    /// written empty, as Flink does, unless a null literal is set (then it is quoted, so that it stays a string).
    func encode(_ row: [ArrowValue]) -> String {
        var line = ""
        let delimiterText = String(UnicodeScalar(delimiter))
        let quoteText = String(UnicodeScalar(quote))
        let firstSafe = UInt16(max(delimiter, quote, 10)) + 1
        for (i, (value, column)) in zip(row, columns).enumerated() {
            if i > 0 { line += delimiterText }
            switch value {
            case .int, .float, .bool:
                line += TextValueCodec.format(value, as: column.type) ?? ""
                continue
            case .decimal(let unscaled, let scale):
                line += TextValueCodec.formatDecimalAsFlinkFormats(unscaled, scale: scale)
                continue
            default:
                break
            }
            guard let text = TextValueCodec.format(value, as: column.type) else {
                line += nullLiteral ?? ""
                continue
            }
            let needsQuotes = text.isEmpty ? nullLiteral != nil
                : text == nullLiteral || text.utf16.count > 24 || text.utf16.contains { $0 < firstSafe }
            line += needsQuotes ? quoteText + text.replacingOccurrences(of: quoteText, with: quoteText + quoteText) + quoteText : text
        }
        return line
    }

    /// The fields of a record, each with whether it was quoted and the byte offset where it starts.
    func split(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [(text: String, quoted: Bool, offset: Int)] {
        var fields: [(text: String, quoted: Bool, offset: Int)] = []
        var i = record.startIndex
        while true {
            let offset = i - record.startIndex
            if i < record.endIndex && record[i] == quote {
                var bytes: [UInt8] = []
                i += 1
                while true {
                    guard i < record.endIndex else {
                        throw RowDecodeError(message: "unterminated quoted field (field \(fields.count + 1))", offset: offset)
                    }
                    if record[i] == quote {
                        if i + 1 < record.endIndex && record[i + 1] == quote {
                            bytes.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    bytes.append(record[i])
                    i += 1
                }
                fields.append((String(decoding: bytes, as: UTF8.self), true, offset))
                guard i == record.endIndex || record[i] == delimiter else {
                    throw RowDecodeError(message: "unexpected text after the closing quote of field \(fields.count)", offset: i - record.startIndex)
                }
            } else {
                let start = i
                while i < record.endIndex && record[i] != delimiter { i += 1 }
                fields.append((String(decoding: record[start..<i], as: UTF8.self), false, offset))
            }
            if i == record.endIndex { return fields }
            i += 1  // the delimiter; a field (maybe empty) follows
        }
    }
}

extension SQLType {
    /// Whether this is ARRAY, MAP or ROW.
    var isNested: Bool {
        switch kind {
        case .array, .map, .row: return true
        default: return false
        }
    }
}
