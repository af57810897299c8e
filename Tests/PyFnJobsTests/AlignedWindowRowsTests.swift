import PyFnArrow
@testable import PyFnJobs
import Testing

/// The rows of TUMBLE / HOP / CUMULATE windows between arrival and firing, without Python: which rows each window
/// gets (across source batches, in arrival order), the firing order, late rows, and windows opened again after
/// their slot was reused — each checked against windows worked out by hand or by `WindowKind.windows(of:)`.
@Suite struct AlignedWindowRowsTests {
    static let schema = ArrowSchema([ArrowField("k", .int64), ArrowField("ts", .int64), ArrowField("v", .int64)])
    static let groupSchema = ArrowSchema([ArrowField("__group", .int64, nullable: false)] + schema.fields)

    /// A batch of rows (key, time, value); the keys are numbered by their value.
    static func batch(_ rows: [(Int, Int64, Int64)]) throws -> RecordBatch {
        try RecordBatch(schema: schema, columns: [.int64(rows.map { Int64($0.0) }), .int64(rows.map(\.1)), .int64(rows.map(\.2))])
    }

    static func add(_ rows: [(Int, Int64, Int64)], watermark: Int64, to aligned: inout AlignedWindowRows) throws -> Int {
        aligned.add(try batch(rows), keys: rows.map(\.0), times: rows.map(\.1), marks: Array(repeating: watermark, count: rows.count))
    }

    /// Each fired window as "key [start, end): values…" in firing order.
    static func fire(upTo watermark: Int64, _ aligned: inout AlignedWindowRows) throws -> [String] {
        guard let (fired, grouped, firstRow) = try aligned.fire(upTo: watermark, groupSchema: groupSchema, keyValuesOf: { [.int(Int64($0))] })
        else { return [] }
        let values = grouped.columns[3].withValues(as: Int64.self) { Array($0) }
        let groups = grouped.columns[0].withValues(as: Int64.self) { Array($0) }
        return fired.enumerated().map { group, window in
            #expect(groups[firstRow[group]..<firstRow[group + 1]].allSatisfy { $0 == Int64(group) })
            let rows = values[firstRow[group]..<firstRow[group + 1]].map(String.init).joined(separator: ",")
            guard case .int(let key) = window.keyValues[0] else { return "key \(window.keyValues)?" }
            return "\(key) [\(window.start), \(window.end)): \(rows)"
        }
    }

    @Test func tumblingWindowsTakeTheirRowsAcrossBatchesInArrivalOrder() throws {
        var aligned = AlignedWindowRows(kind: .tumble(size: 10))
        #expect(try Self.add([(1, 1, 100), (2, 3, 200), (1, 9, 101)], watermark: .min, to: &aligned) == 0)
        #expect(try Self.add([(2, 10, 201), (1, 5, 102), (1, 12, 103)], watermark: .min, to: &aligned) == 0)
        #expect(aligned.openCount == 4)
        #expect(try Self.fire(upTo: 9, &aligned) == [])
        // Windows ending at 10 fire in the order their keys first came (1, then 2); key 1's rows in arrival order.
        #expect(try Self.fire(upTo: 10, &aligned) == ["1 [0, 10): 100,101,102", "2 [0, 10): 200"])
        #expect(aligned.openCount == 2)
        #expect(try Self.fire(upTo: .max, &aligned) == ["2 [10, 20): 201", "1 [10, 20): 103"])
        #expect(aligned.openCount == 0)
    }

    @Test func rowsWhoseWindowsAllEndedBeforeTheirWatermarkAreLate() throws {
        var aligned = AlignedWindowRows(kind: .tumble(size: 10))
        #expect(try Self.add([(1, 4, 1), (1, 15, 2)], watermark: 10, to: &aligned) == 1)
        #expect(try Self.fire(upTo: .max, &aligned) == ["1 [10, 20): 2"])
    }

    @Test func hopAndCumulateRowsGoToEveryWindowTheyBelongTo() throws {
        for kind in [WindowKind.hop(slide: 5, size: 15), .cumulate(step: 5, size: 20)] {
            var aligned = AlignedWindowRows(kind: kind)
            let rows: [(Int, Int64, Int64)] = (0..<40).map { ($0 % 3, Int64($0), Int64($0)) }
            for part in stride(from: 0, to: rows.count, by: 7) {
                #expect(try Self.add(Array(rows[part..<min(part + 7, rows.count)]), watermark: .min, to: &aligned) == 0)
            }
            var expected: [String] = []
            var windows: [(end: Int64, start: Int64, key: Int, values: [Int64])] = []
            for (key, time, value) in rows {
                for (start, end) in kind.windows(of: time) {
                    if let index = windows.firstIndex(where: { $0.key == key && $0.start == start && $0.end == end }) {
                        windows[index].values.append(value)
                    } else {
                        windows.append((end, start, key, [value]))
                    }
                }
            }
            // Firing order: end, start, then the order the windows opened (the order appended above).
            let order = windows.indices.sorted { (windows[$0].end, windows[$0].start, $0) < (windows[$1].end, windows[$1].start, $1) }
            expected = order.map { "\(windows[$0].key) [\(windows[$0].start), \(windows[$0].end)): " + windows[$0].values.map(String.init).joined(separator: ",") }
            var got = try Self.fire(upTo: 20, &aligned)
            got += try Self.fire(upTo: .max, &aligned)
            #expect(got == expected, "\(kind)")
        }
    }

    @Test func aFiredWindowsSlotServesALaterWindowWithoutItsOldRows() throws {
        var aligned = AlignedWindowRows(kind: .tumble(size: 10))
        _ = try Self.add([(1, 1, 1), (2, 2, 2)], watermark: .min, to: &aligned)
        #expect(try Self.fire(upTo: 10, &aligned) == ["1 [0, 10): 1", "2 [0, 10): 2"])
        _ = try Self.add([(2, 11, 3), (3, 12, 4), (2, 13, 5)], watermark: 10, to: &aligned)
        _ = try Self.add([(1, 25, 6)], watermark: 10, to: &aligned)
        #expect(try Self.fire(upTo: .max, &aligned) == ["2 [10, 20): 3,5", "3 [10, 20): 4", "1 [20, 30): 6"])
    }
}
