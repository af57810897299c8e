import PyFnArrow
import PyFnRunner

/// Collects rows of values into record batches of a table's schema, one Arrow builder per column.
///
/// Rows arrive either as `[ArrowValue]` (``append(_:)``) or, from the fast readers, one column value at a time
/// through the typed appends (``appendInteger(_:_:)`` …), which store straight into typed column builders; a
/// reader using them appends exactly one value per column and then calls ``endRow()``.
struct RowBatchBuilder {
    let schema: ArrowSchema

    /// Where a column's values go: a typed builder (kind and index into that kind's array) or the generic one.
    private enum Slot {
        case int64(Int), int32(Int), int16(Int), int8(Int), float64(Int), float32(Int), boolean(Int), bytes(Int)
        case generic(Int)
    }
    private let slots: [Slot]
    private var int64s: [PrimitiveColumnBuilder<Int64>] = []
    private var int32s: [PrimitiveColumnBuilder<Int32>] = []
    private var int16s: [PrimitiveColumnBuilder<Int16>] = []
    private var int8s: [PrimitiveColumnBuilder<Int8>] = []
    private var float64s: [PrimitiveColumnBuilder<Double>] = []
    private var float32s: [PrimitiveColumnBuilder<Float>] = []
    private var booleans: [BooleanColumnBuilder] = []
    private var byteColumns: [VariableBinaryColumnBuilder] = []
    private var generics: [ArrowArrayBuilder] = []
    private var rows = 0

    /// A builder for rows of `schema`.
    init(schema: ArrowSchema) {
        self.schema = schema
        var slots: [Slot] = []
        for field in schema.fields {
            switch field.type {
            case .int64: slots.append(.int64(int64s.count)); int64s.append(PrimitiveColumnBuilder(type: .int64))
            case .int32: slots.append(.int32(int32s.count)); int32s.append(PrimitiveColumnBuilder(type: .int32))
            case .int16: slots.append(.int16(int16s.count)); int16s.append(PrimitiveColumnBuilder(type: .int16))
            case .int8: slots.append(.int8(int8s.count)); int8s.append(PrimitiveColumnBuilder(type: .int8))
            case .float64: slots.append(.float64(float64s.count)); float64s.append(PrimitiveColumnBuilder(type: .float64))
            case .float32: slots.append(.float32(float32s.count)); float32s.append(PrimitiveColumnBuilder(type: .float32))
            case .boolean: slots.append(.boolean(booleans.count)); booleans.append(BooleanColumnBuilder())
            case .utf8, .binary: slots.append(.bytes(byteColumns.count)); byteColumns.append(VariableBinaryColumnBuilder(type: field.type))
            default: slots.append(.generic(generics.count)); generics.append(ArrowArrayBuilder(type: field.type))
            }
        }
        self.slots = slots
    }

    /// Rows appended since the last ``finish()``.
    var count: Int { rows }

    /// Appends one row. A NULL in a NOT NULL column is a ``RowDecodeError`` (nothing is stored); a value of the
    /// wrong type is a bug of the reader and a ``ConnectorError``.
    mutating func append(_ row: [ArrowValue]) throws {
        for (i, field) in schema.fields.enumerated() where row[i].isNull && !field.nullable {
            throw RowDecodeError(message: "NULL in NOT NULL column", column: field.name, value: "")
        }
        for i in slots.indices {
            do {
                try appendValue(i, row[i])
            } catch {
                throw ConnectorError("column '\(schema.fields[i].name)': \(error)")
            }
        }
        rows += 1
    }

    /// Stores `value` in column `column`, checking it the way ``ArrowArrayBuilder/append(_:)`` does.
    private mutating func appendValue(_ column: Int, _ value: ArrowValue) throws {
        if case .null = value { appendNull(column); return }
        switch (slots[column], value) {
        case (.int64(let j), .int(let x)): int64s[j].append(x)
        case (.int32(let j), .int(let x)) where Int32(exactly: x) != nil: int32s[j].append(Int32(x))
        case (.int16(let j), .int(let x)) where Int16(exactly: x) != nil: int16s[j].append(Int16(x))
        case (.int8(let j), .int(let x)) where Int8(exactly: x) != nil: int8s[j].append(Int8(x))
        case (.float64(let j), .int(let x)): float64s[j].append(Double(x))
        case (.float64(let j), .float(let x)): float64s[j].append(x)
        case (.float32(let j), .int(let x)): float32s[j].append(Float(x))
        case (.float32(let j), .float(let x)): float32s[j].append(Float(x))
        case (.boolean(let j), .bool(let b)): booleans[j].append(b)
        case (.bytes(let j), .string(let s)) where schema.fields[column].type == .utf8: byteColumns[j].append(s)
        case (.bytes(let j), .binary(let b)) where schema.fields[column].type == .binary:
            b.withUnsafeBytes { byteColumns[j].append($0) }
        case (.generic(let j), _): try generics[j].append(value)
        default:
            // Let the generic builder say what does not fit, with its usual message.
            var check = ArrowArrayBuilder(type: schema.fields[column].type)
            try check.append(value)
            preconditionFailure("value \(value) accepted by the generic builder but not by the typed one")
        }
    }

    // MARK: - Typed appends (one value per column, then endRow)

    /// Appends a NULL to `column`.
    mutating func appendNull(_ column: Int) {
        switch slots[column] {
        case .int64(let j): int64s[j].appendNull()
        case .int32(let j): int32s[j].appendNull()
        case .int16(let j): int16s[j].appendNull()
        case .int8(let j): int8s[j].appendNull()
        case .float64(let j): float64s[j].appendNull()
        case .float32(let j): float32s[j].appendNull()
        case .boolean(let j): booleans[j].appendNull()
        case .bytes(let j): byteColumns[j].appendNull()
        case .generic(let j): generics[j].appendNull()
        }
    }

    /// Appends an integer that fits `column`'s integer type (else as a generic value).
    @inline(__always)
    mutating func appendInteger(_ column: Int, _ x: Int64) throws {
        switch slots[column] {
        case .int64(let j): int64s[j].append(x)
        case .int32(let j) where Int32(exactly: x) != nil: int32s[j].append(Int32(truncatingIfNeeded: x))
        default: try appendChecked(column, .int(x))
        }
    }

    /// Appends a floating-point value to a float64 / float32 column (else as a generic value).
    @inline(__always)
    mutating func appendFloating(_ column: Int, _ x: Double) throws {
        switch slots[column] {
        case .float64(let j): float64s[j].append(x)
        case .float32(let j): float32s[j].append(Float(x))
        default: try appendChecked(column, .float(x))
        }
    }

    /// Appends a boolean.
    mutating func appendBoolean(_ column: Int, _ b: Bool) throws {
        if case .boolean(let j) = slots[column] { booleans[j].append(b) } else { try appendChecked(column, .bool(b)) }
    }

    /// Appends the UTF-8 bytes of a string (valid UTF-8) to a utf8 column.
    @inline(__always)
    mutating func appendUTF8(_ column: Int, _ bytes: UnsafeRawBufferPointer) throws {
        if case .bytes(let j) = slots[column], schema.fields[column].type == .utf8 {
            byteColumns[j].append(bytes)
        } else {
            try appendChecked(column, .string(String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// Appends any value (checked as ``append(_:)`` does, with its error message).
    mutating func appendChecked(_ column: Int, _ value: ArrowValue) throws {
        do {
            try appendValue(column, value)
        } catch {
            throw ConnectorError("column '\(schema.fields[column].name)': \(error)")
        }
    }

    /// Ends a row appended column by column.
    mutating func endRow() { rows += 1 }

    /// The rows appended so far as a batch; the builder starts over.
    mutating func finish() -> RecordBatch {
        let length = count
        var columns: [ArrowArray] = []
        columns.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .int64(let j): columns.append(int64s[j].finish())
            case .int32(let j): columns.append(int32s[j].finish())
            case .int16(let j): columns.append(int16s[j].finish())
            case .int8(let j): columns.append(int8s[j].finish())
            case .float64(let j): columns.append(float64s[j].finish())
            case .float32(let j): columns.append(float32s[j].finish())
            case .boolean(let j): columns.append(booleans[j].finish())
            case .bytes(let j): columns.append(byteColumns[j].finish())
            case .generic(let j): columns.append(generics[j].finish())
            }
        }
        rows = 0
        // The columns were built for the schema's types and nullability was checked row by row.
        return try! RecordBatch(schema: schema, columns: columns, length: length)
    }
}

extension RecordBatch {
    /// Row `i` as one value per column (row-at-a-time access for sinks).
    func row(_ i: Int) -> [ArrowValue] {
        columns.map { $0.value(at: i) }
    }
}
