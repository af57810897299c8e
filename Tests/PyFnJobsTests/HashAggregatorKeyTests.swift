import PyFnArrow
@testable import PyFnJobs
import PyFnTestSupport
import Testing

/// Grouping rows by one integer key, through the aggregator's own integer table, against groups worked out here
/// with a Swift dictionary: groups numbered in order of first appearance, one per distinct key, across batches and
/// across the table's growth; keys that share low bits (multiples of 2^20, the extremes) stay apart; NULL keys
/// (the boxed path) form one group of their own.
@Suite struct HashAggregatorKeyTests {
    /// The groups a dictionary gives: each key's number in order of first appearance.
    static func expectedGroups(_ keys: [Int64?]) -> [Int] {
        var numbers: [Int64?: Int] = [:]
        return keys.map { key in
            if let known = numbers[key] { return known }
            numbers[key] = numbers.count
            return numbers.count - 1
        }
    }

    @Test func int64KeysAcrossBatchesAndGrowthGetOneGroupEach() throws {
        var random = SeededRandom(seed: 7)
        let pool: [Int64] = (0..<5_000).map { Int64($0) } + (0..<2_000).map { Int64($0) << 20 } + (0..<1_000).map { -Int64($0) * 1_000_003 }
            + [.min, .max, 0, -1]
        let keys: [Int64] = (0..<60_000).map { _ in pool[random.below(pool.count)] }
        var aggregator = HashAggregator(keyCount: 1, aggregates: [], partitions: 1)
        var groups: [Int] = []
        for first in stride(from: 0, to: keys.count, by: 7_000) {
            let slice = Array(keys[first..<min(first + 7_000, keys.count)])
            let batch = try RecordBatch(schema: ArrowSchema([ArrowField("k", .int64, nullable: false)]), columns: [.int64(slice)])
            groups += aggregator.keyGroups(batch)
        }
        #expect(groups == Self.expectedGroups(keys))
        for (row, group) in groups.enumerated().prefix(2_000) {
            #expect(aggregator.keyValues(ofGroup: group) == [.int(keys[row])])
        }
        #expect(aggregator.groupCount == Set(keys).count)
    }

    @Test func nullableInt32KeysGroupTheirNullsTogether() throws {
        let keys: [Int32?] = [3, nil, 3, 1 << 20, nil, -7, 1 << 20, 0, -7, nil]
        var aggregator = HashAggregator(keyCount: 1, aggregates: [], partitions: 1)
        let batch = try RecordBatch(schema: ArrowSchema([ArrowField("k", .int32)]),
                                    columns: [.int32(keys.map { $0 ?? 0 }, validity: keys.map { $0 != nil })])
        #expect(aggregator.keyGroups(batch) == Self.expectedGroups(keys.map { $0.map(Int64.init) }))
    }
}
