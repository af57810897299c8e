import Testing
@testable import PyFnJobs

/// The byte-level timestamp fast path gives what the general parser gives, and leaves every other shape to it.
@Suite("canonical timestamp parser")
struct CanonicalTimestampParserTests {
    func fast(_ text: String, precision: Int) -> Int64? {
        var bytes = text
        return bytes.withUTF8 { TextValueCodec.parseCanonicalTimestamp($0, precision: precision) }
    }

    /// The general parser's answer, without the fast path in front of it.
    func general(_ text: String, precision: Int) -> Int64? {
        let separator = text.firstIndex { $0 == " " || $0 == "T" }!
        guard let days = TextValueCodec.parseDate(text[..<separator]),
              let time = TextValueCodec.parseTime(text[text.index(after: separator)...], precision: precision) else { return nil }
        return Int64(days) * 86_400_000_000 + time
    }

    @Test(arguments: ["2026-01-01 10:00:00", "2026-01-01T10:00:00.123", "1969-12-31 23:59:59.999999",
                      "2024-02-29 00:00:00.5", "2026-12-31 23:59:59.123456789", "1970-01-01 00:00:00.000"])
    func agreesWithTheGeneralParser(text: String) {
        for precision in [0, 3, 6, 9] {
            #expect(fast(text, precision: precision) == general(text, precision: precision), "\(text) at precision \(precision)")
            #expect(fast(text, precision: precision) != nil)
        }
    }

    @Test func truncatesTheFractionToThePrecision() {
        #expect(fast("1970-01-01 00:00:01.987654", precision: 3) == 1_987_000)
        #expect(fast("1970-01-01 00:00:01.9", precision: 6) == 1_900_000)
    }

    @Test(arguments: ["2023-02-29 00:00:00", "2026-13-01 00:00:00", "2026-01-01 24:00:00", "2026-01-01 10:00",
                      "2026-01-01 10:00:00.", "2026-1-01 10:00:00", "2026-01-01 10:00:00.1234567890", "2026-01-01 10:0a:00",
                      "12026-01-01 10:00:00"])
    func leavesOtherShapesToTheGeneralParser(text: String) {
        #expect(fast(text, precision: 6) == nil)
    }
}
