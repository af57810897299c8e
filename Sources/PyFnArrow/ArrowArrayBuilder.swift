/// Row-by-row builder for any type, nested ones included. `append` checks the whole value first and
/// throws an `ArrowError` saying what does not fit (the builder is then unchanged).
public struct ArrowArrayBuilder: Sendable {
    /// The type of the array being built.
    public let type: ArrowType
    private var length = 0
    private var nullCount = 0
    private var validity = BitmapBuilder()
    /// Boolean values.
    private var bits = BitmapBuilder()
    /// Fixed-width values, or utf8/binary bytes.
    private var data: [UInt8] = []
    /// utf8, binary, list and map offsets.
    private var offsets: [Int32] = [0]
    private var children: [ArrowArrayBuilder]

    /// Creates an empty builder for `type`.
    public init(type: ArrowType) {
        self.type = type
        self.children = type.children.map { ArrowArrayBuilder(type: $0.type) }
    }

    /// The number of values appended so far.
    public var count: Int { length }

    /// Appends `value`; throws when it does not fit the type.
    public mutating func append(_ value: ArrowValue) throws {
        try Self.check(value, fits: type, path: "value")
        store(value)
    }

    /// Appends a null.
    public mutating func appendNull() {
        store(.null)
    }

    /// The array of everything appended so far; the builder starts over empty.
    public mutating func finish() -> ArrowArray {
        let array: ArrowArray
        let bitmap = nullCount > 0 ? validity.finish() : nil
        switch type.layout {
        case .null:
            array = .nulls(length)
        case .bitmap:
            array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap, buffers: [bits.finish()])
        case .fixedWidth:
            array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap, buffers: [.copying(data)])
        case .variableBinary:
            array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap,
                               buffers: [.copying(offsets), .copying(data)])
        case .list:
            array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap,
                               buffers: [.copying(offsets)], children: [children[0].finish()])
        case .struct:
            array = ArrowArray(type: type, length: length, nullCount: nullCount, validity: bitmap,
                               buffers: [], children: children.indices.map { children[$0].finish() })
        }
        self = ArrowArrayBuilder(type: type)
        return array
    }

    // MARK: - Checking

    /// Throws unless `value` can be stored in a column of `type`; `path` names the place for the message.
    private static func check(_ value: ArrowValue, fits type: ArrowType, path: String) throws {
        func mismatch() -> ArrowError {
            ArrowError("\(path): cannot store a \(value.kindName) value (\(value)) in a \(type) column")
        }
        func checkRange<T: FixedWidthInteger>(_ x: Int64, _ t: T.Type) throws {
            guard T(exactly: x) != nil else { throw ArrowError("\(path): \(x) is out of range for \(type)") }
        }
        func checkUnit(_ unit: ArrowTimeUnit, _ expected: ArrowTimeUnit) throws {
            guard unit == expected else {
                throw ArrowError("\(path): a value in \(unit.symbol) does not fit \(type) (unit \(expected.symbol))")
            }
        }
        switch (type, value) {
        case (_, .null), (.boolean, .bool), (.int64, .int), (.float32, .int), (.float64, .int),
             (.float32, .float), (.float64, .float), (.utf8, .string), (.binary, .binary), (.date32, .date):
            return
        case (.int8, .int(let x)): try checkRange(x, Int8.self)
        case (.int16, .int(let x)): try checkRange(x, Int16.self)
        case (.int32, .int(let x)): try checkRange(x, Int32.self)
        case (.decimal128(let precision, let scale), .decimal(let unscaled, let valueScale)):
            guard let rescaled = DecimalScaling.rescale(unscaled, from: valueScale, to: scale) else {
                throw ArrowError("\(path): decimal with scale \(valueScale) cannot be represented exactly at scale \(scale)")
            }
            guard DecimalScaling.fits(rescaled, precision: precision) else {
                throw ArrowError("\(path): decimal \(rescaled)e-\(scale) has more than \(precision) digits")
            }
        case (.decimal128, .int(let x)):
            try check(.decimal(unscaled: Int128(x), scale: 0), fits: type, path: path)
        case (.time32(let unit), .time(let x, let valueUnit)):
            try checkUnit(valueUnit, unit)
            try checkRange(x, Int32.self)
        case (.time64(let unit), .time(_, let valueUnit)), (.timestamp(let unit, _), .timestamp(_, let valueUnit)):
            try checkUnit(valueUnit, unit)
        case (.list(let item), .list(let items)):
            for (i, element) in items.enumerated() {
                try checkChild(element, item, path: "\(path)[\(i)]")
            }
        case (.map(let entries, _), .map(let pairs)):
            let fields = entries.type.children
            for (i, pair) in pairs.enumerated() {
                try checkChild(pair.key, fields[0], path: "\(path) key \(i)")
                try checkChild(pair.value, fields[1], path: "\(path) value \(i)")
            }
        case (.struct(let fields), .struct(let members)):
            guard members.count == fields.count else {
                throw ArrowError("\(path): struct value has \(members.count) fields, \(type) has \(fields.count)")
            }
            for (field, member) in zip(fields, members) {
                try checkChild(member, field, path: "\(path).\(field.name)")
            }
        default:
            throw mismatch()
        }
    }

    private static func checkChild(_ value: ArrowValue, _ field: ArrowField, path: String) throws {
        if value.isNull && !field.nullable {
            throw ArrowError("\(path): null in non-nullable field '\(field.name)'")
        }
        try check(value, fits: field.type, path: path)
    }

    // MARK: - Storing (the value has been checked)

    private mutating func store(_ value: ArrowValue) {
        length += 1
        guard !value.isNull else {
            nullCount += 1
            validity.append(false)
            storePlaceholder()
            return
        }
        validity.append(true)
        switch (type, value) {
        case (.boolean, .bool(let b)): bits.append(b)
        case (.int8, .int(let x)): appendFixed(Int8(x))
        case (.int16, .int(let x)): appendFixed(Int16(x))
        case (.int32, .int(let x)): appendFixed(Int32(x))
        case (.int64, .int(let x)): appendFixed(x)
        case (.float32, .int(let x)): appendFixed(Float(x))
        case (.float32, .float(let x)): appendFixed(Float(x))
        case (.float64, .int(let x)): appendFixed(Double(x))
        case (.float64, .float(let x)): appendFixed(x)
        case (.decimal128(_, let scale), .decimal(let unscaled, let valueScale)):
            appendFixed(DecimalScaling.rescale(unscaled, from: valueScale, to: scale)!)
        case (.decimal128(_, let scale), .int(let x)):
            appendFixed(DecimalScaling.rescale(Int128(x), from: 0, to: scale)!)
        case (.utf8, .string(let s)):
            data.append(contentsOf: s.utf8)
            appendOffset(data.count)
        case (.binary, .binary(let b)):
            data.append(contentsOf: b)
            appendOffset(data.count)
        case (.date32, .date(let days)): appendFixed(days)
        case (.time32, .time(let x, _)): appendFixed(Int32(x))
        case (.time64, .time(let x, _)), (.timestamp, .timestamp(let x, _)): appendFixed(x)
        case (.list, .list(let items)):
            for item in items { children[0].store(item) }
            appendOffset(children[0].length)
        case (.map, .map(let pairs)):
            for pair in pairs { children[0].store(.struct([pair.key, pair.value])) }
            appendOffset(children[0].length)
        case (.struct, .struct(let members)):
            for (i, member) in members.enumerated() { children[i].store(member) }
        default:
            preconditionFailure("unchecked \(value.kindName) value stored in a \(type) builder")
        }
    }

    /// Fills the slot of a null element so every buffer keeps one entry per element.
    private mutating func storePlaceholder() {
        switch type.layout {
        case .null: break
        case .bitmap: bits.append(false)
        case .fixedWidth(let width): data.append(contentsOf: repeatElement(0, count: width))
        case .variableBinary: appendOffset(data.count)
        case .list: appendOffset(children[0].length)
        case .struct: for i in children.indices { children[i].store(.null) }
        }
    }

    private mutating func appendFixed<T: BitwiseCopyable>(_ value: T) {
        withUnsafeBytes(of: value) { data.append(contentsOf: $0) }
    }

    private mutating func appendOffset(_ end: Int) {
        precondition(end <= Int(Int32.max), "\(type) array exceeds 32-bit offsets")
        offsets.append(Int32(end))
    }
}

/// A growable bitmap for builders.
struct BitmapBuilder: Sendable {
    private var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ bit: Bool) {
        if count & 7 == 0 { bytes.append(0) }
        if bit { bytes[count >> 3] |= 1 << UInt8(count & 7) }
        count += 1
    }

    func finish() -> ArrowBuffer { .copying(bytes) }
}

/// Exact decimal rescaling and precision checks.
enum DecimalScaling {
    /// `unscaled × 10^(to - from)` when exact and within Int128, else nil.
    static func rescale(_ unscaled: Int128, from: Int, to: Int) -> Int128? {
        if abs(to - from) > 76 { return unscaled == 0 ? 0 : nil }
        var result = unscaled
        if to >= from {
            for _ in 0 ..< to - from {
                let (product, overflow) = result.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                result = product
            }
        } else {
            for _ in 0 ..< from - to {
                guard result % 10 == 0 else { return nil }
                result /= 10
            }
        }
        return result
    }

    /// Whether `unscaled` has at most `precision` decimal digits.
    static func fits(_ unscaled: Int128, precision: Int) -> Bool {
        guard precision < 39 else { return true }
        var limit: Int128 = 1
        for _ in 0 ..< precision { limit *= 10 }
        return unscaled > -limit && unscaled < limit
    }
}
