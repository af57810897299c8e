// The session time zone (`table.local-time-zone`): the zone TIMESTAMP_LTZ instants are shown, printed, cast and
// handed to Python functions in. A job binds it for everything it runs (a task-local, so two jobs in one runner
// process keep their own zones).
import Foundation

/// A session time zone as Flink's `table.local-time-zone` names it: an IANA region ("Asia/Shanghai"), "UTC", or a
/// fixed offset ("GMT+08:00"). The default, as in Flink, is this machine's zone.
public struct SessionTimeZone: Sendable, Hashable, CustomStringConvertible {
    /// The zone's name as given (the machine's zone identifier for the default).
    public let identifier: String
    private let zone: TimeZone

    /// The zone named `identifier`; nil when Foundation knows no such zone.
    public init?(identifier: String) {
        let trimmed = identifier.trimmingCharacters(in: .whitespaces)
        guard let zone = Self.zone(named: trimmed) else { return nil }
        self.identifier = trimmed
        self.zone = zone
    }

    /// This machine's zone.
    public static var machine: SessionTimeZone {
        let zone = TimeZone.current
        return SessionTimeZone(identifier: zone.identifier) ?? SessionTimeZone(identifier: "UTC")!
    }

    /// UTC.
    public static let utc = SessionTimeZone(identifier: "UTC")!

    /// The zone of `table.local-time-zone` in `settings` (`default` or none: the machine's); throws naming the
    /// setting for a zone that does not exist.
    public init(settings: [String: String]) throws {
        guard let text = settings[Self.setting], text != "default" else {
            self = .machine
            return
        }
        guard let zone = SessionTimeZone(identifier: text) else {
            throw PyFnError.invalidDescriptor("'\(Self.setting)' must be a time zone such as 'UTC', 'Asia/Shanghai' or 'GMT+08:00', not '\(text)'")
        }
        self = zone
    }

    /// Flink's key for the session zone.
    public static let setting = "table.local-time-zone"

    /// The zone in force for the running job (see ``bound(_:)``); the machine's outside a job.
    @TaskLocal public static var current: SessionTimeZone = .machine

    /// The zone's name.
    public var description: String { identifier }

    /// Seconds this zone is ahead of UTC at the instant `epochMicros` (microseconds since the epoch).
    public func offsetSeconds(atInstant epochMicros: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.floorDivide(epochMicros, 1_000_000)))))
    }

    /// The wall-clock time (microseconds since the epoch, read as local) this zone shows at the instant `epochMicros`.
    public func localMicros(ofInstant epochMicros: Int64) -> Int64 {
        epochMicros + offsetSeconds(atInstant: epochMicros) * 1_000_000
    }

    /// The instant at which this zone's clocks show `localMicros` (a wall-clock time as microseconds since the
    /// epoch). In a gap (clocks put forward) the offset from before the gap applies; in an overlap, the earlier
    /// instant — as java.time's `LocalDateTime.atZone` resolves them.
    public func instantMicros(ofLocal localMicros: Int64) -> Int64 {
        let day: Int64 = 86_400_000_000
        let before = offsetSeconds(atInstant: localMicros - day), after = offsetSeconds(atInstant: localMicros + day)
        for offset in [max(before, after), min(before, after)] {
            let instant = localMicros - offset * 1_000_000
            if self.localMicros(ofInstant: instant) == localMicros { return instant }
        }
        return localMicros - before * 1_000_000
    }

    private static func zone(named name: String) -> TimeZone? {
        let upper = name.uppercased()
        if upper == "UTC" || upper == "GMT" || upper == "Z" { return TimeZone(secondsFromGMT: 0) }
        for prefix in ["UTC", "GMT", ""] where upper.hasPrefix(prefix + "+") || upper.hasPrefix(prefix + "-") {
            return fixedOffset(String(upper.dropFirst(prefix.count)))
        }
        return TimeZone(identifier: name)
    }

    /// `+hh[:mm]`, `+hhmm` or `+h` as a fixed-offset zone, within ±18 hours as java.time allows.
    private static func fixedOffset(_ text: String) -> TimeZone? {
        let sign = text.first == "-" ? -1 : 1
        let digits = text.dropFirst().replacingOccurrences(of: ":", with: "")
        guard !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let hours = Int(digits.count > 2 ? String(digits.prefix(digits.count - 2)) : digits)!
        let minutes = digits.count > 2 ? Int(String(digits.suffix(2)))! : 0
        guard hours <= 18, minutes < 60, hours * 60 + minutes <= 18 * 60 else { return nil }
        return TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60))
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
}
