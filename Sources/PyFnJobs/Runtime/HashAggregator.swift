import Foundation
import PyFnArrow
import PyFnRunner

/// Groups rows by their key columns and keeps one accumulator per aggregate per group, with the groups spread over
/// `partitions` hash partitions (the way a parallel job partitions a GROUP BY by key). It hands back every group at
/// the end of bounded input, or the groups that changed since last asked, for streaming upserts.
///
/// Groups are numbered in the order they appear; their accumulators live in flat arrays per aggregate. A batch is
/// processed column-wise: first each row's group (a single string or integer key is looked up by its raw bytes or
/// value, other keys as values), then each aggregate over its argument column read with typed accessors.
struct HashAggregator {
    private let keyCount: Int
    private let aggregates: [AggregateSpec]
    private let partitionCount: Int

    /// Group by key value: the authority on which rows share a group.
    private var groupsByKey: [[ArrowValue]: Int] = [:]
    /// Key, partition and position within the partition, by group.
    private var keys: [[ArrowValue]] = []
    private var groupPartition: [Int] = []
    private var groupPosition: [Int] = []
    /// Groups of each partition in order of appearance.
    private var partitionGroups: [[Int]]
    /// Positions changed since last asked, per partition, and whether each group is among them.
    private var changedPositions: [[Int]]
    private var changedFlags: [Bool] = []
    private var states: [AggregateState]

    /// Caches of single-column keys: raw bytes (utf8/binary) or integer value → group, for the column type seen.
    private var byteCache = ByteKeyCache()
    private var integerCache = IntegerKeyCache()
    private var cacheType: ArrowType?
    private var nullKeyGroup: Int?

    init(keyCount: Int, aggregates: [AggregateSpec], partitions: Int) {
        self.keyCount = keyCount
        self.aggregates = aggregates
        partitionCount = max(1, partitions)
        partitionGroups = Array(repeating: [], count: partitionCount)
        changedPositions = Array(repeating: [], count: partitionCount)
        states = aggregates.map(AggregateState.init)
    }

    /// The number of groups so far.
    var groupCount: Int { keys.count }

    /// Adds rows whose first `keyCount` columns are the key and whose other columns are aggregate arguments.
    mutating func add(_ batch: RecordBatch) {
        let groups = groupIndices(batch)
        for g in groups where !changedFlags[g] {
            changedFlags[g] = true
            changedPositions[groupPartition[g]].append(groupPosition[g])
        }
        for index in states.indices {
            states[index].add(batch, argument: aggregates[index].argument, groups: groups)
        }
    }

    // MARK: - Groups

    /// The group of every row of `batch` by its first `keyCount` columns (groups created in order of appearance),
    /// without touching any accumulator: a column-wise key dictionary for stages that keep rows, not sums.
    mutating func keyGroups(_ batch: RecordBatch) -> [Int] {
        groupIndices(batch)
    }

    /// The key values of group `g`.
    func keyValues(ofGroup g: Int) -> [ArrowValue] {
        keys[g]
    }

    /// The group of every row of `batch`, creating groups in order of appearance.
    private mutating func groupIndices(_ batch: RecordBatch) -> [Int] {
        let rows = batch.length
        if keyCount == 0 {
            guard rows > 0 else { return [] }
            return Array(repeating: group(for: []), count: rows)
        }
        if keyCount == 1 {
            let column = batch.columns[0]
            if cacheType != column.type {
                cacheType = column.type
                byteCache = ByteKeyCache()
                integerCache = IntegerKeyCache()
                nullKeyGroup = nil
            }
            switch column.type {
            case .utf8, .binary:
                var result = [Int](repeating: 0, count: rows)
                let hasNulls = column.nullCount > 0
                column.withVariableBinaryView { view in
                    for row in 0..<rows {
                        if hasNulls && column.isNull(row) {
                            result[row] = nullGroup()
                            continue
                        }
                        let bytes = view[row]
                        let hash = ByteKeyCache.hash(bytes)
                        if let known = byteCache.lookup(bytes, hash: hash) {
                            result[row] = known
                        } else {
                            let g = group(for: [column.value(at: row)])
                            byteCache.insert(bytes, hash: hash, group: g)
                            result[row] = g
                        }
                    }
                }
                return result
            case .int64 where column.nullCount == 0:
                // Read raw: an `ArrowValue` per row measured a fifth of this path in `pyfn-bench pandas_udaf_window`.
                var result = [Int](repeating: 0, count: rows)
                column.withValues(as: Int64.self) { raw in
                    for row in 0..<rows {
                        let x = raw[row]
                        if let known = integerCache.lookup(x) {
                            result[row] = known
                        } else {
                            let g = group(for: [.int(x)])
                            integerCache.insert(x, group: g)
                            result[row] = g
                        }
                    }
                }
                return result
            case .int8, .int16, .int32, .int64:
                var result = [Int](repeating: 0, count: rows)
                for row in 0..<rows {
                    let value = column.value(at: row)
                    guard case .int(let x) = value else { result[row] = nullGroup(); continue }
                    if let known = integerCache.lookup(x) {
                        result[row] = known
                    } else {
                        let g = group(for: [value])
                        integerCache.insert(x, group: g)
                        result[row] = g
                    }
                }
                return result
            default:
                break
            }
        }
        return (0..<rows).map { row in group(for: (0..<keyCount).map { batch.columns[$0].value(at: row) }) }
    }

    private mutating func nullGroup() -> Int {
        if let nullKeyGroup { return nullKeyGroup }
        let g = group(for: [.null])
        nullKeyGroup = g
        return g
    }

    /// The group of `key`, created when new.
    private mutating func group(for key: [ArrowValue]) -> Int {
        if let known = groupsByKey[key] { return known }
        let g = keys.count
        let partition = partitionCount == 1 ? 0 : Int(UInt(bitPattern: key.hashValue) % UInt(partitionCount))
        groupsByKey[key] = g
        keys.append(key)
        groupPartition.append(partition)
        groupPosition.append(partitionGroups[partition].count)
        partitionGroups[partition].append(g)
        changedFlags.append(false)
        for index in states.indices { states[index].addGroup() }
        return g
    }

    // MARK: - Results

    /// Every group as a row: keys, then aggregates.
    func allGroups(schema: ArrowSchema) throws -> RecordBatch {
        try rows(partitionGroups.flatMap { $0 }, schema: schema)
    }

    /// The groups that changed since the last call, as rows.
    mutating func changedGroups(schema: ArrowSchema) throws -> RecordBatch {
        var groups: [Int] = []
        for partition in 0..<partitionCount {
            for position in changedPositions[partition].sorted() {
                let g = partitionGroups[partition][position]
                groups.append(g)
                changedFlags[g] = false
            }
            changedPositions[partition] = []
        }
        return try rows(groups, schema: schema)
    }

    private func rows(_ groups: [Int], schema: ArrowSchema) throws -> RecordBatch {
        var builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
        for g in groups {
            for (index, value) in (keys[g] + zip(states, aggregates).map { $0.result(g, type: $1.type) }).enumerated() {
                if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
            }
        }
        return try RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() })
    }
}

/// The running state of one aggregate for every group, in flat arrays by group (also the running totals of
/// unbounded OVER frames).
struct AggregateState {
    let function: AggregateSpec.Function
    let distinct: Bool
    var count: [Int64] = []
    var integerSum: [Int64] = []
    var doubleSum: [Double] = []
    var extreme: [ArrowValue] = []
    var seen: [Set<ArrowValue>] = []

    init(_ spec: AggregateSpec) {
        function = spec.function
        distinct = spec.distinct
    }

    mutating func addGroup() {
        count.append(0)
        integerSum.append(0)
        doubleSum.append(0)
        if function == .min || function == .max { extreme.append(.null) }
        if distinct { seen.append([]) }
    }

    /// Adds the argument column (nil: COUNT(*)) of every row of `batch` to the row's group.
    mutating func add(_ batch: RecordBatch, argument: Int?, groups: [Int]) {
        guard let argument else {
            for g in groups { count[g] += 1 }
            return
        }
        let column = batch.columns[argument]
        if !distinct && function != .min && function != .max {
            if function == .count {
                if column.nullCount == 0 {
                    for g in groups { count[g] += 1 }
                } else {
                    for (row, g) in groups.enumerated() where !column.isNull(row) { count[g] += 1 }
                }
                return
            }
            switch column.type {
            case .int64: addIntegers(column, Int64.self, groups); return
            case .int32: addIntegers(column, Int32.self, groups); return
            case .int16: addIntegers(column, Int16.self, groups); return
            case .int8: addIntegers(column, Int8.self, groups); return
            case .float64: addFloating(column, Double.self, groups); return
            case .float32: addFloating(column, Float.self, groups); return
            default: break
            }
        }
        for (row, g) in groups.enumerated() { add(column.value(at: row), to: g) }
    }

    private mutating func addIntegers<T: BinaryInteger & BitwiseCopyable>(_ column: ArrowArray, _ type: T.Type, _ groups: [Int]) {
        let hasNulls = column.nullCount > 0
        column.withValues(as: T.self) { values in
            for (row, g) in groups.enumerated() {
                if hasNulls && column.isNull(row) { continue }
                let v = Int64(values[row])
                count[g] += 1
                integerSum[g] &+= v
                doubleSum[g] += Double(v)
            }
        }
    }

    private mutating func addFloating<T: BinaryFloatingPoint & BitwiseCopyable>(_ column: ArrowArray, _ type: T.Type, _ groups: [Int]) {
        let hasNulls = column.nullCount > 0
        column.withValues(as: T.self) { values in
            for (row, g) in groups.enumerated() {
                if hasNulls && column.isNull(row) { continue }
                count[g] += 1
                doubleSum[g] += Double(values[row])
            }
        }
    }

    /// Adds one row's argument to group `g`.
    mutating func add(_ value: ArrowValue, to g: Int) {
        if value == .null { return }
        if distinct {
            guard seen[g].insert(value).inserted else { return }
        }
        count[g] += 1
        switch function {
        case .count: break
        case .sum, .avg:
            if case .int(let v) = value {
                integerSum[g] &+= v
                doubleSum[g] += Double(v)
            } else {
                doubleSum[g] += value.number
            }
        case .min, .max:
            if extreme[g] == .null || (function == .min ? value.isLess(than: extreme[g]) : extreme[g].isLess(than: value)) {
                extreme[g] = value
            }
        }
    }

    func result(_ g: Int, type: SQLType) -> ArrowValue {
        switch function {
        case .count: return .int(count[g])
        case .sum: return count[g] == 0 ? .null : (type.isInteger ? .int(integerSum[g]) : .float(doubleSum[g]))
        case .avg: return count[g] == 0 ? .null : .float(doubleSum[g] / Double(count[g]))
        case .min, .max: return extreme[g]
        }
    }
}

/// Raw byte strings → group, open addressing; equal bytes are an equal key (the reverse is left to the caller).
private struct ByteKeyCache {
    private var slots = [Int32](repeating: -1, count: 64)
    private var hashes: [UInt64] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var groups: [Int] = []
    private var arena: [UInt8] = []

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        guard let base = bytes.baseAddress else { return h }
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        return h
    }

    @inline(__always)
    func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if hashes[entry] == hash && lengths[entry] == bytes.count {
                let equal = arena.withUnsafeBytes { stored in
                    bytes.count == 0 || memcmp(stored.baseAddress! + starts[entry], bytes.baseAddress!, bytes.count) == 0
                }
                if equal { return groups[entry] }
            }
            slot = (slot + 1) & mask
        }
    }

    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64, group: Int) {
        if (hashes.count + 1) * 2 > slots.count { grow() }
        let entry = hashes.count
        hashes.append(hash)
        starts.append(arena.count)
        lengths.append(bytes.count)
        groups.append(group)
        arena.append(contentsOf: bytes)
        place(entry)
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for entry in hashes.indices { place(entry) }
    }
}

/// Integer keys → group, open addressing with a multiplicative hash. Swift's `Dictionary<Int64, Int>` hashes with
/// SipHash: in `pyfn-bench pandas_udaf_window` (a BIGINT key per row) its hashing and probing were 4 % of the
/// runner's samples.
private struct IntegerKeyCache {
    private var slots = [Int32](repeating: -1, count: 64)
    private var keys: [Int64] = []
    private var groups: [Int] = []

    @inline(__always)
    private static func slot(of key: Int64, mask: Int) -> Int {
        let h = UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
    }

    @inline(__always)
    func lookup(_ key: Int64) -> Int? {
        let mask = slots.count - 1
        var slot = Self.slot(of: key, mask: mask)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if keys[entry] == key { return groups[entry] }
            slot = (slot + 1) & mask
        }
    }

    /// Records `key`'s group; `key` must not be there yet.
    mutating func insert(_ key: Int64, group: Int) {
        if (keys.count + 1) * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for entry in keys.indices { place(entry) }
        }
        keys.append(key)
        groups.append(group)
        place(keys.count - 1)
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Self.slot(of: keys[entry], mask: mask)
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }
}

extension ArrowValue {
    /// SQL ordering of two non-NULL values of one type.
    func isLess(than other: ArrowValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b
        case (.string(let a), .string(let b)): return a < b
        case (.bool(let a), .bool(let b)): return !a && b
        case (.date(let a), .date(let b)): return a < b
        case (.timestamp(let a, _), .timestamp(let b, _)), (.time(let a, _), .time(let b, _)): return a < b
        default: return number < other.number
        }
    }
}
