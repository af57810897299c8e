// Writes values in Flink's binary row format, as PyFlink's worker reads them (flink-fn-execution's flatten_row
// coder): big-endian fixed-width numbers, int32-length-prefixed strings, a leading row-kind-and-null mask per row.
import Foundation
import PyFnArrow

/// Accumulates Flink-coded bytes: rows (each a null mask then its non-null fields) and the varint lengths that
/// frame them in a bundle's data.
struct FlinkRowWriter {
    /// What has been written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends `value` as Beam's unsigned varint (7 bits a byte, least significant first).
    mutating func writeVarint(_ value: Int) {
        var rest = UInt64(value)
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends raw bytes.
    mutating func write(_ raw: some Collection<UInt8>) { bytes.append(contentsOf: raw) }

    /// Empties the writer, keeping its storage.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    private mutating func writeBigEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends one row: the mask (two row-kind bits, 0 = INSERT, then one bit per field, set for NULL, most
    /// significant bit first) and each non-null field. `path` names the row in errors.
    mutating func writeRow(_ values: [ArrowValue], types: [SQLType], path: String) throws {
        var mask = [UInt8](repeating: 0, count: (values.count + 2 + 7) / 8)
        for (index, value) in values.enumerated() where value.isNull {
            let bit = index + 2
            mask[bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
        bytes.append(contentsOf: mask)
        for (index, value) in values.enumerated() where !value.isNull {
            try writeValue(value, type: types[index], path: "\(path).\(index)")
        }
    }

    /// Appends one non-null value of `type` as Flink's serializer for that type writes it.
    mutating func writeValue(_ value: ArrowValue, type: SQLType, path: String) throws {
        switch (type.kind, value) {
        case (.boolean, .bool(let b)): bytes.append(b ? 1 : 0)
        case (.tinyint, .int(let x)): writeBigEndian(Int8(truncatingIfNeeded: x))
        case (.smallint, .int(let x)): writeBigEndian(Int16(truncatingIfNeeded: x))
        case (.int, .int(let x)), (.date, .int(let x)): writeBigEndian(Int32(truncatingIfNeeded: x))
        case (.date, .date(let days)): writeBigEndian(days)
        case (.bigint, .int(let x)): writeBigEndian(x)
        case (.float, .float(let x)): writeBigEndian(Float(x).bitPattern)
        case (.float, .int(let x)): writeBigEndian(Float(x).bitPattern)
        case (.double, .float(let x)): writeBigEndian(x.bitPattern)
        case (.double, .int(let x)): writeBigEndian(Double(x).bitPattern)
        case (.decimal(_, let scale), .decimal(let unscaled, let valueScale)):
            writeSized(Array(FlinkDecimalText.format(unscaled: unscaled, scale: valueScale, as: scale).utf8))
        case (.string, .string(let s)): writeSized(Array(s.utf8))
        case (.bytes, .binary(let b)): writeSized(b)
        case (.time, .time(let x, let unit)):
            // Flink's TIME travels as milliseconds of the day.
            writeBigEndian(Int32(truncatingIfNeeded: FlinkTime.floorDivide(x * FlinkTime.nanos(per: unit), 1_000_000)))
        case (.timestamp(let precision), .timestamp(let x, let unit)), (.timestampLTZ(let precision), .timestamp(let x, let unit)):
            let nanos = x.multipliedReportingOverflow(by: FlinkTime.nanos(per: unit))
            guard !nanos.overflow else { throw PyFnError.invalidDescriptor("\(path): timestamp \(x) \(unit) is out of range") }
            let millis = FlinkTime.floorDivide(nanos.partialValue, 1_000_000)
            writeBigEndian(millis)
            if precision > 3 { writeBigEndian(Int32(nanos.partialValue - millis * 1_000_000)) }
        case (.array(let element), .list(let items)):
            writeBigEndian(Int32(items.count))
            for (index, item) in items.enumerated() {
                if item.isNull {
                    bytes.append(0)
                } else {
                    bytes.append(1)
                    try writeValue(item, type: element, path: "\(path)[\(index)]")
                }
            }
        case (.map(let keyType, let valueType), .map(let entries)):
            writeBigEndian(Int32(entries.count))
            for entry in entries {
                try writeValue(entry.key, type: keyType, path: "\(path) key")
                if entry.value.isNull {
                    bytes.append(1)
                } else {
                    bytes.append(0)
                    try writeValue(entry.value, type: valueType, path: "\(path) value")
                }
            }
        case (.row(let fields), .struct(let members)):
            try writeRow(members, types: fields.map(\.type), path: path)
        default:
            throw PyFnError.invalidDescriptor("\(path): a \(value) cannot be written as Flink's \(type)")
        }
    }

    private mutating func writeSized(_ raw: [UInt8]) {
        writeBigEndian(Int32(raw.count))
        bytes.append(contentsOf: raw)
    }
}

/// Time-unit arithmetic shared by the Flink row writer and reader.
enum FlinkTime {
    /// Nanoseconds in one `unit`.
    static func nanos(per unit: ArrowTimeUnit) -> Int64 {
        switch unit {
        case .second: return 1_000_000_000
        case .millisecond: return 1_000_000
        case .microsecond: return 1_000
        case .nanosecond: return 1
        }
    }

    /// `a / b` rounded towards minus infinity (times before 1970 stay in the right millisecond).
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}

/// DECIMAL values as the text Flink's Python coder exchanges (`str(decimal.Decimal)` with the type's scale).
enum FlinkDecimalText {
    /// `unscaled × 10^-scale` written with exactly `targetScale` digits after the point.
    static func format(unscaled: Int128, scale: Int, as targetScale: Int) -> String {
        var value = unscaled
        var valueScale = scale
        while valueScale < targetScale { value *= 10; valueScale += 1 }
        while valueScale > targetScale { value /= 10; valueScale -= 1 }
        let negative = value < 0
        var digits = String(negative ? (0 - value).magnitude : value.magnitude)
        if targetScale > 0 {
            if digits.count <= targetScale { digits = String(repeating: "0", count: targetScale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -targetScale))
        }
        return negative ? "-" + digits : digits
    }

    /// The unscaled value of decimal text (`-12.50`, `1E+2`) at `scale`; nil if it is not a number.
    static func parse(_ text: String, scale: Int) -> Int128? {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "E" || $0 == "e" }) {
            guard let parsed = Int(mantissa[mantissa.index(after: e)...]) else { return nil }
            exponent = parsed
            mantissa = mantissa[..<e]
        }
        let negative = mantissa.hasPrefix("-")
        if negative || mantissa.hasPrefix("+") { mantissa = mantissa.dropFirst() }
        var digits = String(mantissa)
        var fraction = 0
        if let dot = mantissa.firstIndex(of: ".") {
            fraction = mantissa.distance(from: dot, to: mantissa.endIndex) - 1
            digits = String(mantissa[..<dot]) + String(mantissa[mantissa.index(after: dot)...])
        }
        guard !digits.isEmpty, var value = Int128(digits) else { return nil }
        var shift = scale - fraction + exponent
        while shift > 0 { value *= 10; shift -= 1 }
        while shift < 0 { value /= 10; shift += 1 }
        return negative ? -value : value
    }
}
