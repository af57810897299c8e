import Foundation
import PyFnArrow
import PyFnRunner
import Testing
@testable import PyFnJobs

/// TIMESTAMP_LTZ's text forms and casts: Flink's csv/json form (UTC and a 'Z') in files, the session zone's wall
/// clock when printed or CAST, and the zone arithmetic behind them (checked against Flink 2.3's output for the
/// instants 0 and 2024-01-01 04:00:00.123 UTC in Asia/Shanghai).
@Suite("TIMESTAMP_LTZ text and casts")
struct LocalZonedTimestampTests {
    let ltz3 = SQLType(.timestampLTZ(precision: 3))
    let shanghai = SessionTimeZone(identifier: "Asia/Shanghai")!
    let instant: Int64 = 1_704_081_600_123_000  // 2024-01-01 04:00:00.123 UTC

    @Test func filesHoldTheUTCTimeWithAZAsFlinksFormatsWriteIt() throws {
        #expect(TextValueCodec.format(.timestamp(0, .microsecond), as: ltz3) == "1970-01-01 00:00:00Z")
        #expect(TextValueCodec.format(.timestamp(instant, .microsecond), as: ltz3) == "2024-01-01 04:00:00.123Z")
        #expect(TextValueCodec.format(.timestamp(1_500_000, .microsecond), as: ltz3) == "1970-01-01 00:00:01.5Z")
        #expect(try TextValueCodec.parse("2024-01-01 04:00:00.123Z", as: ltz3) == .timestamp(instant, .microsecond))
        #expect(try TextValueCodec.parse("2024-01-01T04:00:00.123456Z", as: ltz3) == .timestamp(instant, .microsecond))
    }

    @Test(arguments: ["2024-01-01 04:00:00", "2024-01-01 04:00:00+08:00", "Z", "2024-13-01 04:00:00Z"])
    func textWithoutItsZoneIsRefused(text: String) {
        #expect(throws: ValueParseError.self) { try TextValueCodec.parse(text, as: SQLType(.timestampLTZ(precision: 3))) }
    }

    @Test func peopleSeeTheSessionZonesWallClock() {
        #expect(TextValueCodec.displayText(.timestamp(0, .microsecond), as: ltz3, zone: shanghai) == "1970-01-01 08:00:00.000")
        #expect(TextValueCodec.displayText(.timestamp(instant, .microsecond), as: ltz3, zone: shanghai) == "2024-01-01 12:00:00.123")
        #expect(TextValueCodec.displayText(.timestamp(0, .microsecond), as: ltz3, zone: .utc) == "1970-01-01 00:00:00.000")
        #expect(ValueDisplayText.text(.timestamp(0, .microsecond), as: ltz3, zone: shanghai) == "1970-01-01 08:00:00.000")
    }

    @Test func castsGoThroughTheSessionZone() {
        let local = ArrowValue.timestamp(instant + 8 * 3_600_000_000, .microsecond)
        #expect(LocalZonedCast.cast(.timestamp(instant, .microsecond), from: ltz3, to: .string, zone: shanghai)
                == .string("2024-01-01 12:00:00.123"))
        #expect(LocalZonedCast.cast(.timestamp(instant, .microsecond), from: ltz3, to: .timestamp(3), zone: shanghai) == local)
        #expect(LocalZonedCast.cast(local, from: .timestamp(3), to: ltz3, zone: shanghai) == .timestamp(instant, .microsecond))
        #expect(LocalZonedCast.cast(.string("1970-01-01 08:00:00"), from: .string, to: ltz3, zone: shanghai) == .timestamp(0, .microsecond))
        #expect(LocalZonedCast.cast(.timestamp(instant, .microsecond), from: ltz3, to: .date, zone: shanghai)
                == .date(days: 19723))
        #expect(LocalZonedCast.cast(.timestamp(instant + 456, .microsecond), from: SQLType(.timestampLTZ(precision: 6)), to: ltz3,
                                    zone: shanghai) == .timestamp(instant, .microsecond))
        #expect(LocalZonedCast.cast(.string("not a time"), from: .string, to: ltz3, zone: shanghai) == .null)
        #expect(LocalZonedCast.cast(.int(1), from: .bigint, to: .double, zone: shanghai) == nil)
    }

    @Test func zonesResolveGapsAndOverlapsAsJavaTimeDoes() throws {
        let newYork = try #require(SessionTimeZone(identifier: "America/New_York"))
        // 2024-03-10 02:30 does not exist in New York (clocks jump 02:00 → 03:00): java.time moves it to 03:30 EDT.
        let gap = Int64(TextValueCodec.daysFromCivil(2024, 3, 10)) * 86_400_000_000 + Int64(2 * 3600 + 1800) * 1_000_000
        #expect(newYork.instantMicros(ofLocal: gap) == gap + 5 * 3_600_000_000)
        // 2024-11-03 01:30 happens twice: the earlier instant (EDT, UTC-4).
        let overlap = Int64(TextValueCodec.daysFromCivil(2024, 11, 3)) * 86_400_000_000 + Int64(3600 + 1800) * 1_000_000
        #expect(newYork.instantMicros(ofLocal: overlap) == overlap + 4 * 3_600_000_000)
        let plus8 = try #require(SessionTimeZone(identifier: "GMT+08:00"))
        let minus530 = try #require(SessionTimeZone(identifier: "UTC-05:30"))
        #expect(plus8.offsetSeconds(atInstant: 0) == Int64(8 * 3600))
        #expect(minus530.offsetSeconds(atInstant: 0) == Int64(-(5 * 3600 + 1800)))
        #expect(SessionTimeZone(identifier: "Mars/Olympus") == nil)
        #expect(throws: PyFnError.self) { try SessionTimeZone(settings: ["table.local-time-zone": "Mars/Olympus"]) }
        #expect(try SessionTimeZone(settings: ["table.local-time-zone": "default"]) == .machine)
    }

    @Test func ltzTravelsAsAnArrowTimestampWithAZoneAndReadsBack() throws {
        #expect(ltz3.arrowType == .timestamp(.microsecond, timezone: "UTC"))
        #expect(try SQLType(arrow: ArrowField("t", .timestamp(.microsecond, timezone: "Asia/Shanghai"), nullable: true))
                == SQLType(.timestampLTZ(precision: 6)))
        #expect(try SQLType(proto: ltz3.proto) == ltz3)
        #expect(ltz3.description == "TIMESTAMP_LTZ(3)")
    }
}
