// Reads values in Flink's binary row format as PyFlink's worker writes them (flink-fn-execution's flatten_row
// coder), into Arrow values of PyFn's types. Every read is bounds-checked: a short or garbled stream is an error
// naming the bundle, never a crash.
import Foundation
import PyFnArrow

/// A cursor over Flink-coded bytes.
struct FlinkRowReader {
    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    /// Where the readable bytes end.
    let end: Int
    /// Names the stream in errors, e.g. `bundle bundle-3`.
    let context: String

    /// A reader of `bytes[range]`.
    init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
        self.context = context
    }

    /// A reader of `range` of what `other` reads.
    init(bytes other: FlinkRowReader, range: Range<Int>) {
        self.bytes = other.bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.context = other.context
    }

    /// Whether every byte has been read.
    var atEnd: Bool { position >= end }

    /// The next byte, without moving; nil at the end.
    var peek: UInt8? { position < end ? bytes[position] : nil }

    private func truncated(_ what: String) -> PyFnError {
        PyFnError.protocolViolation("\(context): PyFlink's worker sent a truncated \(what) at byte \(position) of \(end)")
    }

    /// Reads `count` bytes.
    mutating func read(_ count: Int, what: String) throws -> ArraySlice<UInt8> {
        guard count >= 0, end - position >= count else { throw truncated(what) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func readBigEndian<T: FixedWidthInteger>(_ type: T.Type, what: String) throws -> T {
        let raw = try read(MemoryLayout<T>.size, what: what)
        return raw.reduce(T.zero) { ($0 << 8) | T(truncatingIfNeeded: $1) }
    }

    /// Reads Beam's unsigned varint.
    mutating func readVarint() throws -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw truncated("length") }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw PyFnError.protocolViolation("\(context): a length varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 { break }
        }
        guard result <= UInt64(Int32.max) else { throw PyFnError.protocolViolation("\(context): an element length of \(result) bytes") }
        return Int(result)
    }

    /// Reads one row of `types` (mask, then the non-null fields) as Arrow values.
    mutating func readRow(types: [SQLType]) throws -> [ArrowValue] {
        let mask = try read((types.count + 2 + 7) / 8, what: "row mask")
        let maskStart = mask.startIndex
        return try types.indices.map { index in
            let bit = index + 2
            if mask[maskStart + bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 { return .null }
            return try readValue(types[index])
        }
    }

    /// Reads one non-null value of `type` as an Arrow value of PyFn's Arrow type for it.
    mutating func readValue(_ type: SQLType) throws -> ArrowValue {
        switch type.kind {
        case .boolean: return .bool(try read(1, what: "BOOLEAN").first! != 0)
        case .tinyint: return .int(Int64(try readBigEndian(Int8.self, what: "TINYINT")))
        case .smallint: return .int(Int64(try readBigEndian(Int16.self, what: "SMALLINT")))
        case .int: return .int(Int64(try readBigEndian(Int32.self, what: "INT")))
        case .bigint: return .int(try readBigEndian(Int64.self, what: "BIGINT"))
        case .float: return .float(Double(Float(bitPattern: try readBigEndian(UInt32.self, what: "FLOAT"))))
        case .double: return .float(Double(bitPattern: try readBigEndian(UInt64.self, what: "DOUBLE")))
        case .decimal(_, let scale):
            let text = String(decoding: try readSized(what: "DECIMAL"), as: UTF8.self)
            guard let unscaled = FlinkDecimalText.parse(text, scale: scale) else {
                throw PyFnError.protocolViolation("\(context): '\(text)' is not a DECIMAL")
            }
            return .decimal(unscaled: unscaled, scale: scale)
        case .string: return .string(String(decoding: try readSized(what: "STRING"), as: UTF8.self))
        case .bytes: return .binary(Array(try readSized(what: "BYTES")))
        case .date: return .date(days: try readBigEndian(Int32.self, what: "DATE"))
        case .time:
            return .time(Int64(try readBigEndian(Int32.self, what: "TIME")) * 1_000, .microsecond)
        case .timestamp(let precision), .timestampLTZ(let precision):
            // TIMESTAMP_LTZ travels as Flink's TimestampData too: the instant's milliseconds since the epoch.
            let millis = try readBigEndian(Int64.self, what: "TIMESTAMP")
            let nanos = precision > 3 ? Int64(try readBigEndian(Int32.self, what: "TIMESTAMP")) : 0
            return .timestamp(millis * 1_000 + nanos / 1_000, .microsecond)
        case .array(let element):
            let count = try readCount(what: "ARRAY")
            return .list(try (0..<count).map { _ in
                try read(1, what: "ARRAY element flag").first! != 0 ? try readValue(element) : .null
            })
        case .map(let keyType, let valueType):
            let count = try readCount(what: "MAP")
            return .map(try (0..<count).map { _ in
                let key = try readValue(keyType)
                let isNull = try read(1, what: "MAP value flag").first! != 0
                return ArrowMapEntry(key: key, value: isNull ? .null : try readValue(valueType))
            })
        case .row(let fields):
            return .struct(try readRow(types: fields.map(\.type)))
        }
    }

    private mutating func readCount(what: String) throws -> Int {
        let count = try readBigEndian(Int32.self, what: what)
        guard count >= 0, Int(count) <= end - position else { throw truncated(what) }
        return Int(count)
    }

    private mutating func readSized(what: String) throws -> ArraySlice<UInt8> {
        try read(try readCount(what: what), what: what)
    }
}
