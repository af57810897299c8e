import PyFnArrow
import PyFnRunner

/// CAST to DATE, TIME and TIMESTAMP as Flink does it: from text in the literal forms (`yyyy-mm-dd`,
/// `hh:mm:ss[.f…]`, `yyyy-mm-dd hh:mm:ss[.f…]`, a date alone for midnight), and between the temporal types
/// (a TIMESTAMP's date or time of day, a DATE at midnight). Text that is not a value of the type gives NULL, as
/// the numeric CASTs here do; constant texts are checked when the query is planned.
enum TemporalCast {
    private static let microsPerDay: Int64 = 86_400_000_000

    /// `value` (text, DATE, TIME or TIMESTAMP) as a value of the temporal `type`.
    static func cast(_ value: ArrowValue, to type: SQLType) -> ArrowValue {
        if case .string(let text) = value {
            return (try? TextValueCodec.parse(text, as: type)) ?? .null
        }
        switch (value, type.kind) {
        case (.date(let days), .date): return .date(days: days)
        case (.date(let days), .timestamp): return .timestamp(Int64(days) * microsPerDay, .microsecond)
        case (.timestamp(let x, let unit), .date):
            let micros = TextValueCodec.micros(x, unit)
            return .date(days: Int32(floorDivide(micros, microsPerDay)))
        case (.timestamp(let x, let unit), .time(let precision)):
            let micros = TextValueCodec.micros(x, unit)
            return .time(truncate(micros - floorDivide(micros, microsPerDay) * microsPerDay, precision: max(precision, 3)), .microsecond)
        case (.timestamp(let x, let unit), .timestamp(let precision)):
            return .timestamp(truncate(TextValueCodec.micros(x, unit), precision: precision), .microsecond)
        case (.time(let x, let unit), .time(let precision)):
            return .time(truncate(TextValueCodec.micros(x, unit), precision: max(precision, 3)), .microsecond)
        default:
            return .null
        }
    }

    /// `micros` with at most `precision` fractional digits of a second (callers give TIME at least 3: Flink's TIME
    /// values are milliseconds of the day whatever the declared precision, so TIME keeps its milliseconds).
    static func truncate(_ micros: Int64, precision: Int) -> Int64 {
        guard precision < 6 else { return micros }
        var step: Int64 = 1
        for _ in precision ..< 6 { step *= 10 }
        return floorDivide(micros, step) * step
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }
}
