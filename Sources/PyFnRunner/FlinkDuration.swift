import Foundation

/// Durations written as Flink writes them in its settings.
public enum FlinkDuration {
    /// Parses `'100ms'`, `'1 s'`, `'2min'`, `'10 minutes'`, `'500'` (a bare number is milliseconds, as in Flink);
    /// nil when malformed.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let amount = Double(digits), amount >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let seconds: Double
        switch unit {
        case "", "ms", "milli", "millis", "millisecond", "milliseconds": seconds = amount / 1000
        case "us", "µs", "micro", "micros", "microsecond", "microseconds": seconds = amount / 1_000_000
        case "ns", "nano", "nanos", "nanosecond", "nanoseconds": seconds = amount / 1_000_000_000
        case "s", "sec", "secs", "second", "seconds": seconds = amount
        case "m", "min", "mins", "minute", "minutes": seconds = amount * 60
        case "h", "hour", "hours": seconds = amount * 3600
        case "d", "day", "days": seconds = amount * 86400
        default: return nil
        }
        return .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
