// The runner's side of DataStream timers and event time, without workers: the timer set of a subtask (Flink's
// one-timer-per-key-time-and-domain rule, deletes, firing order) and how watermarks are made and combined.
import Foundation
import Testing
import PyFnArrow
@testable import PyFnJobs

@Suite("stream timer state")
struct StreamTimerStateTests {
    @Test func aTimerIsSetOncePerKeyTimeAndDomainAndFiresEarliestFirst() throws {
        var timers = KeyedTimers()
        try timers.apply(request: 1, time: 20, key: [2])
        try timers.apply(request: 1, time: 20, key: [2])  // again: still one timer
        try timers.apply(request: 1, time: 10, key: [9])
        try timers.apply(request: 1, time: 10, key: [1])
        try timers.apply(request: 2, time: 10, key: [1])  // the same time in the other domain: its own timer
        try timers.apply(request: 1, time: 30, key: [1])
        try timers.apply(request: 3, time: 30, key: [1])  // deleted again
        #expect(timers.count == 4)
        let due = timers.takeDue(.eventTime, upTo: 25)
        #expect(due.map(\.time) == [10, 10, 20])
        #expect(due.map(\.key) == [[1], [9], [2]])
        #expect(timers.takeDue(.eventTime, upTo: .max).isEmpty, "fired timers are gone, the deleted one never fires")
        #expect(timers.takeDue(.processingTime, upTo: 10).map(\.key) == [[1]])
        #expect(throws: DataStreamError.self) { try timers.apply(request: 7, time: 1, key: [1]) }
    }

    func stamped(_ times: [Int64?], _ watermark: inout SubtaskWatermark) throws -> RecordBatch {
        let batch = try RecordBatch(schema: ArrowSchema([ArrowField("__ts", .int64)]),
                                    columns: [.int64(times.map { $0 ?? 0 }, validity: times.map { $0 != nil })],
                                    length: times.count)
        return try watermark.stamp(batch)
    }

    @Test func aSubtasksWatermarkTrailsItsLargestTimestampByTheOutOfOrdernessAndOneMillisecond() throws {
        var watermark = SubtaskWatermark(outOfOrderness: 5000, node: 3, subtask: 1)
        #expect(watermark.current == .min)
        let batch = try stamped([10_000, 12_000, nil, 11_000], &watermark)
        #expect(watermark.current == 6_999)
        #expect(batch.column(named: "__watermark")?.values == Array(repeating: .int(6_999), count: 4))
        #expect(batch.column(named: "__writer")?.values.first == .int(3 << 16 | 1))
        _ = try stamped([9_000], &watermark)
        #expect(watermark.current == 6_999, "an earlier timestamp never moves the watermark back")
        var none = SubtaskWatermark(outOfOrderness: nil, node: 0, subtask: 0)
        _ = try stamped([1], &none)
        #expect(none.current == .min, "no_watermarks: event time stands still")
    }

    @Test func aReadersWatermarkIsTheSmallestOfItsWritersOnceAllHaveSpoken() throws {
        var first = SubtaskWatermark(outOfOrderness: 0, node: 1, subtask: 0)
        var second = SubtaskWatermark(outOfOrderness: 0, node: 1, subtask: 1)
        var input = InputWatermark(writers: 2)
        input.observe(try stamped([100], &first))
        #expect(input.current == .min, "a writer not heard from holds event time back")
        input.observe(try stamped([50], &second))
        #expect(input.current == 49)
        input.observe(try stamped([500], &second))
        #expect(input.current == 99)
        let later = try stamped([600], &first)
        input.observe(later)
        #expect(input.current == 499)
        let stripped = try StreamEventTimeColumns.stripped(later)
        #expect(stripped.schema.fields.isEmpty)
        // A writer that sent this reader no records still moves its event time on.
        let news = try #require(StreamEventTimeColumns.watermarkOnly(try stamped([900], &second)))
        #expect(news.length == 0)
        input.observe(news)
        #expect(input.current == 599)
    }
}
