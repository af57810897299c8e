import PyFnArrow
import PyFnRunner

/// A batch with a column of every SQL type PyFn supports, three rows each, nulls in every column.
enum TypeSamples {
    static let columns: [(SQLField, [ArrowValue])] = [
        (SQLField("c_boolean", .boolean), [.bool(true), .null, .bool(false)]),
        (SQLField("c_tinyint", .tinyint), [.int(-128), .int(127), .null]),
        (SQLField("c_smallint", .smallint), [.null, .int(-32768), .int(32767)]),
        (SQLField("c_int", .int), [.int(Int64(Int32.min)), .null, .int(Int64(Int32.max))]),
        (SQLField("c_bigint", .bigint), [.int(Int64.min), .int(Int64.max), .null]),
        (SQLField("c_float", .float), [.float(1.5), .null, .float(-0.25)]),
        (SQLField("c_double", .double), [.null, .float(3.141592653589793), .float(-1e300)]),
        (SQLField("c_decimal", .decimal(10, 2)), [.decimal(unscaled: 12345, scale: 2), .decimal(unscaled: -99999, scale: 2), .null]),
        (SQLField("c_string", .string), [.string("héllo wörld ✓"), .string(""), .null]),
        (SQLField("c_bytes", .bytes), [.binary([0, 255, 7]), .null, .binary([])]),
        (SQLField("c_date", .date), [.date(days: 19_000), .null, .date(days: -1)]),
        (SQLField("c_time", .time(6)), [.time(3_600_000_000, .microsecond), .time(0, .microsecond), .null]),
        (SQLField("c_timestamp", .timestamp(6)), [.null, .timestamp(1_700_000_000_123_456, .microsecond), .timestamp(-1, .microsecond)]),
        (SQLField("c_array", .array(.int)), [.list([.int(1), .null, .int(3)]), .list([]), .null]),
        (SQLField("c_map", .map(.string, .bigint)),
         [.map([ArrowMapEntry(key: .string("k"), value: .int(1)), ArrowMapEntry(key: .string("z"), value: .null)]), .null, .map([])]),
        (SQLField("c_row", .row([SQLField("a", .int), SQLField("b", .string)])),
         [.struct([.int(1), .string("x")]), .struct([.null, .null]), .null]),
    ]

    static func batch(_ columns: [(SQLField, [ArrowValue])] = columns) throws -> RecordBatch {
        let schema = ArrowSchema(columns: columns.map(\.0))
        return try RecordBatch(schema: schema, columns: zip(schema.fields, columns).map { field, column in
            var builder = ArrowArrayBuilder(type: field.type)
            for value in column.1 {
                if value == .null { builder.appendNull() } else { try builder.append(value) }
            }
            return builder.finish()
        })
    }
}
