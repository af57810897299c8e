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
    }

    func decode(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [ArrowValue] {
        let fields = try split(record)
        guard fields.count == columns.count else {
            throw RowDecodeError(message: "expected \(columns.count) field\(columns.count == 1 ? "" : "s"), found \(fields.count)")
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
                throw RowDecodeError(message: error.message, column: column.name, value: field.text)
            }
        }
        return row
    }

    func isHeader(_ record: ArraySlice<UInt8>) -> Bool {
        if alwaysSkipHeader { return true }
        guard let fields = try? split(record) else { return false }
        return fields.map(\.text) == columns.map(\.name)
    }

    func encode(_ row: [ArrowValue]) -> String {
        var line = ""
        let delimiterText = String(UnicodeScalar(delimiter))
        let quoteText = String(UnicodeScalar(quote))
        for (i, (value, column)) in zip(row, columns).enumerated() {
            if i > 0 { line += delimiterText }
            guard let text = TextValueCodec.format(value, as: column.type) else {
                line += nullLiteral ?? ""
                continue
            }
            let needsQuotes = text.isEmpty || text == nullLiteral || text.utf8.contains { $0 == delimiter || $0 == quote || $0 == 10 || $0 == 13 }
                || text.first == " " || text.last == " "
            line += needsQuotes ? quoteText + text.replacingOccurrences(of: quoteText, with: quoteText + quoteText) + quoteText : text
        }
        return line
    }

    /// The fields of a record, each with whether it was quoted.
    func split(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [(text: String, quoted: Bool)] {
        var fields: [(text: String, quoted: Bool)] = []
        var i = record.startIndex
        while true {
            if i < record.endIndex && record[i] == quote {
                var bytes: [UInt8] = []
                i += 1
                while true {
                    guard i < record.endIndex else {
                        throw RowDecodeError(message: "unterminated quoted field (field \(fields.count + 1))")
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
                fields.append((String(decoding: bytes, as: UTF8.self), true))
                guard i == record.endIndex || record[i] == delimiter else {
                    throw RowDecodeError(message: "unexpected text after the closing quote of field \(fields.count)")
                }
            } else {
                let start = i
                while i < record.endIndex && record[i] != delimiter { i += 1 }
                fields.append((String(decoding: record[start..<i], as: UTF8.self), false))
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
