import PyFnArrow
import PyFnRunner

/// JSON Lines: one JSON object per line, its keys the column names.
///
/// - A missing key or `null` is NULL; keys that are not columns are ignored.
/// - Scalars: JSON booleans, numbers (read exactly: BIGINT and DECIMAL keep every digit) or strings in the text
///   forms of ``TextValueCodec`` (`"2024-05-01"` for a DATE, base64 for BYTES, `"12.5"` for a number). A STRING
///   column takes any JSON value (non-strings as their JSON text).
/// - ARRAY ← JSON array; MAP ← JSON object (keys in the key type's text form); ROW ← JSON object by field name.
/// - Written rows use the same forms: numbers for numeric columns (NaN and infinities as strings), strings for
///   dates, times, timestamps and bytes, arrays and objects for nested columns.
struct JSONLinesFormat: LineFormat {
    let columns: [SQLField]

    var multilineQuote: UInt8? { nil }

    func decode(_ record: ArraySlice<UInt8>) throws(RowDecodeError) -> [ArrowValue] {
        let document: JSONValue
        var offsets: [String: Int] = [:]
        do {
            document = try JSONValue.parse(record, memberOffsets: &offsets)
        } catch {
            throw RowDecodeError(message: "invalid JSON: \(error.message)", offset: error.offset)
        }
        guard case .object = document else { throw RowDecodeError(message: "expected a JSON object", offset: 0) }
        var row: [ArrowValue] = []
        row.reserveCapacity(columns.count)
        for column in columns {
            let json = document[column.name] ?? .null
            do {
                row.append(try Self.value(json, as: column.type))
            } catch {
                throw RowDecodeError(message: error.message, column: column.name, value: json.serialized, offset: offsets[column.name])
            }
        }
        return row
    }

    func isHeader(_ record: ArraySlice<UInt8>) -> Bool { false }

    func encode(_ row: [ArrowValue]) -> String {
        JSONValue.object(zip(columns, row).map { ($0.name, Self.json($1, as: $0.type)) }).serialized
    }

    /// The Arrow value a JSON value denotes in a column of `type`.
    static func value(_ json: JSONValue, as type: SQLType) throws(ValueParseError) -> ArrowValue {
        switch (json, type.kind) {
        case (.null, _):
            return .null
        case (.bool(let b), .boolean):
            return .bool(b)
        case (.string(let text), .string):
            return .string(text)
        case (_, .string):
            return .string(json.serialized)
        case (.number(let text), _) where !type.isNested:
            return try TextValueCodec.parse(text, as: type)
        case (.string(let text), _) where !type.isNested:
            return try TextValueCodec.parse(text, as: type)
        case (.array(let items), .array(let element)):
            var values: [ArrowValue] = []
            for (i, item) in items.enumerated() {
                do { values.append(try nonNull(value(item, as: element), element)) } catch {
                    throw ValueParseError(message: "item \(i): \(error.message)")
                }
            }
            return .list(values)
        case (.object(let members), .map(let keyType, let valueType)):
            var entries: [ArrowMapEntry] = []
            for member in members {
                do {
                    let key = try value(.string(member.key), as: keyType)
                    entries.append(ArrowMapEntry(key: key, value: try nonNull(value(member.value, as: valueType), valueType)))
                } catch {
                    throw ValueParseError(message: "key '\(member.key)': \(error.message)")
                }
            }
            return .map(entries)
        case (.object, .row(let fields)):
            var values: [ArrowValue] = []
            for field in fields {
                do { values.append(try nonNull(value(json[field.name] ?? .null, as: field.type), field.type)) } catch {
                    throw ValueParseError(message: "field '\(field.name)': \(error.message)")
                }
            }
            return .struct(values)
        default:
            throw ValueParseError(message: "a JSON \(json.kindName) is not a valid \(TextValueCodec.typeName(type))")
        }
    }

    /// `value`, unless it is NULL where `type` is NOT NULL.
    private static func nonNull(_ value: ArrowValue, _ type: SQLType) throws(ValueParseError) -> ArrowValue {
        if value.isNull && !type.nullable { throw ValueParseError(message: "NULL where \(type) is required") }
        return value
    }

    /// The JSON form of an Arrow value of `type`.
    static func json(_ value: ArrowValue, as type: SQLType) -> JSONValue {
        switch (value, type.kind) {
        case (.null, _): return .null
        case (.bool(let b), _): return .bool(b)
        case (.int, _):
            return .number(TextValueCodec.format(value, as: type)!)
        case (.decimal(let unscaled, let scale), _):
            return .number(TextValueCodec.formatDecimalAsFlinkFormats(unscaled, scale: scale))
        case (.float(let x), _):
            let text = TextValueCodec.format(value, as: type)!
            return x.isFinite ? .number(text) : .string(text)
        case (.list(let items), .array(let element)):
            return .array(items.map { json($0, as: element) })
        case (.map(let entries), .map(let keyType, let valueType)):
            return .object(entries.map { (TextValueCodec.format($0.key, as: keyType) ?? json($0.key, as: keyType).serialized,
                                          json($0.value, as: valueType)) })
        case (.struct(let members), .row(let fields)):
            return .object(zip(fields, members).map { ($0.name, json($1, as: $0.type)) })
        default:
            return TextValueCodec.format(value, as: type).map(JSONValue.string) ?? .null
        }
    }
}

extension JSONValue {
    /// `object`, `array`, … for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
