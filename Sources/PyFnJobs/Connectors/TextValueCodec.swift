import Foundation
import PyFnArrow
import PyFnRunner

/// A text that is not a value of the expected type; the line readers add the file, line and column.
struct ValueParseError: Error, Sendable {
    /// What is wrong, e.g. `not a valid INT`.
    var message: String
}

/// The one place scalar SQL values are read from and written as text: CSV fields, JSON strings and numbers,
/// SQLite and PostgreSQL text columns, printed rows.
///
/// Text forms (the SQL literal forms Flink's CSV and JSON formats use):
/// - BOOLEAN `true` / `false` (any case); integers and FLOAT/DOUBLE in decimal or exponent notation
///   (`NaN`, `Infinity`, `-Infinity` too); DECIMAL(p, s) rounded half up to s digits, at most p digits;
/// - STRING as is; BYTES in base64;
/// - DATE `yyyy-mm-dd`; TIME `hh:mm[:ss[.fffffffff]]` (milliseconds kept even for TIME(0), as Flink does); TIMESTAMP `yyyy-mm-dd hh:mm:ss[.fffffffff]` (or with a `T`
///   between date and time, or a date alone for midnight). Fractions beyond the type's precision are truncated
///   (Arrow keeps microseconds). Written forms have exactly the type's precision digits (at most 6).
/// - TIMESTAMP_LTZ as Flink's CSV and JSON formats write it: the instant's UTC time and a `Z`
///   (`2024-01-01 04:00:00.123Z`); shown to people in the session zone instead (``displayText(_:as:)``).
enum TextValueCodec {
    // MARK: - Parsing

    /// The value `text` denotes in a column of `type` (a scalar type; nested types are rejected).
    static func parse(_ text: String, as type: SQLType) throws(ValueParseError) -> ArrowValue {
        let trimmed = type.kind == .string ? text : text.trimmingCharacters(in: .whitespaces)
        func invalid(_ what: String? = nil) -> ValueParseError {
            ValueParseError(message: what ?? "not a valid \(typeName(type))")
        }
        switch type.kind {
        case .boolean:
            switch trimmed.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw invalid()
            }
        case .tinyint, .smallint, .int, .bigint:
            guard let number = Int64(trimmed) else {
                let digits = trimmed.drop { $0 == "-" || $0 == "+" }
                let outOfRange = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
                throw invalid(outOfRange ? "out of range for \(typeName(type))" : nil)
            }
            guard integerRange(type.kind).contains(number) else { throw invalid("out of range for \(typeName(type))") }
            return .int(number)
        case .float:
            guard let number = parseFloating(trimmed) else { throw invalid() }
            return .float(Double(Float(number)))
        case .double:
            guard let number = parseFloating(trimmed) else { throw invalid() }
            return .float(number)
        case .decimal(let precision, let scale):
            guard let unscaled = parseDecimal(trimmed, scale: scale) else { throw invalid() }
            guard fits(unscaled, precision: precision) else { throw invalid("more than \(precision) digits for \(typeName(type))") }
            return .decimal(unscaled: unscaled, scale: scale)
        case .string:
            return .string(text)
        case .bytes:
            guard let data = Data(base64Encoded: trimmed) else { throw invalid("not valid base64 for BYTES") }
            return .binary([UInt8](data))
        case .date:
            guard let days = parseDate(Substring(trimmed)) else { throw invalid("not a valid DATE (yyyy-mm-dd)") }
            return .date(days: Int32(days))
        case .time(let precision):
            // Flink's TIME values are milliseconds of the day whatever the declared precision: TIME (= TIME(0))
            // keeps `12:00:00.123` whole, as PyFlink passes it to a UDF.
            guard let micros = parseTime(Substring(trimmed), precision: max(precision, 3)) else {
                throw invalid("not a valid TIME (hh:mm:ss[.ffffff])")
            }
            return .time(micros, .microsecond)
        case .timestamp(let precision):
            guard let micros = parseTimestamp(trimmed, precision: precision) else {
                throw invalid("not a valid TIMESTAMP (yyyy-mm-dd hh:mm:ss[.ffffff])")
            }
            return .timestamp(micros, .microsecond)
        case .timestampLTZ(let precision):
            // Flink's CSV and JSON formats write an instant as its UTC time with a 'Z'.
            guard trimmed.last == "Z" || trimmed.last == "z",
                  let micros = parseTimestamp(String(trimmed.dropLast()), precision: precision) else {
                throw invalid("not a valid TIMESTAMP_LTZ (yyyy-mm-dd hh:mm:ss[.ffffff]Z, in UTC)")
            }
            return .timestamp(micros, .microsecond)
        case .array, .map, .row:
            throw invalid("\(typeName(type)) values cannot be read from text")
        }
    }

    /// The type's name without NOT NULL, for messages.
    static func typeName(_ type: SQLType) -> String { SQLType(type.kind).description }

    /// The values an integer column of `kind` holds.
    static func integerRange(_ kind: SQLType.Kind) -> ClosedRange<Int64> {
        switch kind {
        case .tinyint: return Int64(Int8.min)...Int64(Int8.max)
        case .smallint: return Int64(Int16.min)...Int64(Int16.max)
        case .int: return Int64(Int32.min)...Int64(Int32.max)
        default: return Int64.min...Int64.max
        }
    }

    private static func parseFloating(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "infinity", "+infinity", "inf", "+inf": return .infinity
        case "-infinity", "-inf": return -.infinity
        case "": return nil
        default:
            // Double(String) also takes hex floats and "nan(…)"; accept only decimal digits, signs, '.', 'e'.
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
            return Double(text)
        }
    }

    /// `[-+]digits[.digits][e[-+]digits]` as an unscaled integer at `scale`, rounded half up; nil when malformed or
    /// beyond Int128.
    static func parseDecimal(_ text: String, scale: Int) -> Int128? {
        var chars = Substring(text)
        var negative = false
        if let sign = chars.first, sign == "-" || sign == "+" { negative = sign == "-"; chars = chars.dropFirst() }
        var exponent = 0
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(chars[chars.index(after: e)...]), abs(value) < 100 else { return nil }
            exponent = value
            chars = chars[..<e]
        }
        let parts = chars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !(parts.allSatisfy(\.isEmpty)) else { return nil }
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        guard (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // digits × 10^(exponent - fraction.count), brought to `scale`.
        let digits = whole + fraction
        let shift = scale + exponent - fraction.count
        var result: Int128 = 0
        var kept = digits[...]
        var roundUp = false
        if shift < 0 {
            let drop = -shift
            if drop > kept.count { roundUp = false; kept = "" } else {
                let cut = kept.index(kept.endIndex, offsetBy: -drop)
                roundUp = (kept[cut].wholeNumberValue ?? 0) >= 5
                kept = kept[..<cut]
            }
        }
        for digit in kept {
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int128(digit.wholeNumberValue!))
            if o1 || o2 { return nil }
            result = sum
        }
        if shift > 0 {
            for _ in 0 ..< shift {
                let (times10, overflow) = result.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                result = times10
            }
        }
        if roundUp { result += 1 }
        return negative ? -result : result
    }

    /// Whether `unscaled` has at most `precision` digits.
    static func fits(_ unscaled: Int128, precision: Int) -> Bool {
        guard precision < 39 else { return true }
        var limit: Int128 = 1
        for _ in 0 ..< precision { limit *= 10 }
        return unscaled > -limit && unscaled < limit
    }

    /// Days since 1970-01-01 of `yyyy-mm-dd`.
    static func parseDate(_ text: Substring) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count >= 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...daysInMonth(year, month)).contains(day) else { return nil }
        return daysFromCivil(year, month, day)
    }

    /// Microseconds since midnight of `hh:mm[:ss[.f…]]`, truncated to `precision` fractional digits.
    static func parseTime(_ text: Substring, precision: Int) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].count == 2, parts[1].count == 2,
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        var second = 0, micros: Int64 = 0
        if parts.count == 3 {
            let secondParts = parts[2].split(separator: ".", omittingEmptySubsequences: false)
            guard secondParts.count <= 2, secondParts[0].count == 2, let s = Int(secondParts[0]), (0..<60).contains(s)
            else { return nil }
            second = s
            if secondParts.count == 2 {
                let fraction = secondParts[1]
                guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                let kept = String(fraction.prefix(min(6, precision))).padding(toLength: 6, withPad: "0", startingAt: 0)
                micros = Int64(kept) ?? 0
            }
        }
        return Int64(hour * 3600 + minute * 60 + second) * 1_000_000 + micros
    }

    /// Microseconds since the epoch of `yyyy-mm-dd[( |T)hh:mm[:ss[.f…]]]`.
    static func parseTimestamp(_ text: String, precision: Int) -> Int64? {
        var bytes = text
        if let fast = bytes.withUTF8({ parseCanonicalTimestamp($0, precision: precision) }) { return fast }
        let separator = text.firstIndex { $0 == " " || $0 == "T" }
        let datePart = separator.map { text[..<$0] } ?? text[...]
        guard let days = parseDate(datePart) else { return nil }
        var micros: Int64 = 0
        if let separator {
            guard let time = parseTime(text[text.index(after: separator)...], precision: precision) else { return nil }
            micros = time
        }
        return Int64(days) * 86_400_000_000 + micros
    }

    // MARK: - Formatting

    /// The text form of a scalar `value` of `type` (nil for NULL). Nested values are handled by the formats.
    static func format(_ value: ArrowValue, as type: SQLType) -> String? {
        switch (value, type.kind) {
        case (.null, _): return nil
        case (.bool(let b), _): return b ? "true" : "false"
        case (.int(let x), _): return String(x)
        case (.float(let x), .float): return formatFloating(Double(Float(x)), single: true)
        case (.float(let x), _): return formatFloating(x, single: false)
        case (.decimal(let unscaled, let scale), _): return formatDecimal(unscaled, scale: scale)
        case (.string(let s), _): return s
        case (.binary(let bytes), _): return Data(bytes).base64EncodedString()
        case (.date(let days), _): return formatDate(Int(days))
        case (.time(let x, let unit), .time(let precision)):
            // Milliseconds a TIME(0..2) value still carries (see parsing) are written, as Flink prints them.
            let us = micros(x, unit)
            return formatTime(us, precision: precision < 3 && us % 1_000_000 != 0 ? 3 : precision)
        case (.time(let x, let unit), _): return formatTime(micros(x, unit), precision: 6)
        case (.timestamp(let x, let unit), .timestampLTZ(let precision)):
            // Flink's formats: the UTC time, its fraction without trailing zeros (none when whole), then 'Z'.
            let us = micros(x, unit)
            let days = us >= 0 ? us / 86_400_000_000 : (us - 86_400_000_000 + 1) / 86_400_000_000
            var time = formatTime(us - days * 86_400_000_000, precision: precision)
            if time.contains(".") {
                while time.hasSuffix("0") { time.removeLast() }
                if time.hasSuffix(".") { time.removeLast() }
            }
            return formatDate(Int(days)) + " " + time + "Z"
        case (.timestamp(let x, let unit), let kind):
            var precision = 6
            if case .timestamp(let p) = kind { precision = p }
            let us = micros(x, unit)
            let days = us >= 0 ? us / 86_400_000_000 : (us - 86_400_000_000 + 1) / 86_400_000_000
            return formatDate(Int(days)) + " " + formatTime(us - days * 86_400_000_000, precision: precision)
        case (.list, _), (.map, _), (.struct, _): return nil
        }
    }

    /// Microseconds of `value` in `unit`.
    static func micros(_ value: Int64, _ unit: ArrowTimeUnit) -> Int64 {
        switch unit {
        case .second: return value * 1_000_000
        case .millisecond: return value * 1000
        case .microsecond: return value
        case .nanosecond: return value / 1000
        }
    }

    /// A FLOAT or DOUBLE as Java's `Float.toString`/`Double.toString` write it, which is what Flink prints and its
    /// CSV and JSON formats write: the shortest digits that read back to the same value (Swift finds the same ones),
    /// plain between 10^-3 and 10^7 with at least one fraction digit (`123.0`, `0.001`), else `d.dddE±n` (`1.0E7`,
    /// `1.5E-5`).
    static func formatFloating(_ x: Double, single: Bool) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        // Swift's shortest form ("1.5", "1e+16", "1.234e-05") split into its digits and the number of digits
        // before the decimal point.
        let swift = single ? Float(x).magnitude.description : x.magnitude.description
        let parts = swift.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        var digits = Array(mantissa[0].utf8) + (mantissa.count > 1 ? Array(mantissa[1].utf8) : [])
        var pointAt = mantissa[0].utf8.count + (parts.count > 1 ? Int(parts[1])! : 0)
        while digits.count > 1, digits.first == UInt8(ascii: "0") { digits.removeFirst(); pointAt -= 1 }
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        let text = String(decoding: digits, as: UTF8.self)
        let exponent = pointAt - 1
        let sign = x < 0 ? "-" : ""
        guard (-3..<7).contains(exponent) else {
            let fraction = digits.count > 1 ? String(text.dropFirst()) : "0"
            return "\(sign)\(text.prefix(1)).\(fraction)E\(exponent)"
        }
        if pointAt <= 0 { return sign + "0." + String(repeating: "0", count: -pointAt) + text }
        if digits.count <= pointAt { return sign + text + String(repeating: "0", count: pointAt - digits.count) + ".0" }
        return sign + text.prefix(pointAt) + "." + text.dropFirst(pointAt)
    }

    /// A DECIMAL as Flink's CSV and JSON formats write it (Jackson's number nodes, Java's `BigDecimal.toString` of
    /// the value without trailing zeros): `12.50` → `12.5`, `100.00` → `1E+2`, `0.00` → `0`. Printing keeps the
    /// scale (``formatDecimal(_:scale:)``).
    static func formatDecimalAsFlinkFormats(_ unscaled: Int128, scale: Int) -> String {
        guard unscaled != 0 else { return "0" }
        var unscaled = unscaled, scale = scale
        while unscaled % 10 == 0 { unscaled /= 10; scale -= 1 }
        let digits = String(unscaled.magnitude)
        let adjusted = digits.count - 1 - scale
        guard scale < 0 || adjusted < -6 else { return formatDecimal(unscaled, scale: scale) }
        let fraction = digits.count > 1 ? "." + digits.dropFirst() : ""
        return (unscaled < 0 ? "-" : "") + digits.prefix(1) + fraction + "E" + (adjusted >= 0 ? "+" : "") + String(adjusted)
    }

    /// `unscaled × 10^-scale` in plain decimal notation, e.g. `-12.30`.
    static func formatDecimal(_ unscaled: Int128, scale: Int) -> String {
        let negative = unscaled < 0
        var digits = String(unscaled.magnitude)
        guard scale > 0 else { return (negative ? "-" : "") + digits + String(repeating: "0", count: -scale) }
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
    }

    /// `yyyy-mm-dd` of days since the epoch.
    static func formatDate(_ days: Int) -> String {
        let (year, month, day) = civilFromDays(days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `hh:mm:ss[.f…]` of microseconds since midnight with `min(precision, 6)` fractional digits.
    static func formatTime(_ micros: Int64, precision: Int) -> String {
        let seconds = Int(micros / 1_000_000)
        var text = pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        let digits = min(precision, 6)
        if digits > 0 { text += "." + pad(Int(micros % 1_000_000), 6).prefix(digits) }
        return text
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let text = String(number.magnitude)
        return (number < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }

    // MARK: - Calendar (proleptic Gregorian)

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of days since 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
