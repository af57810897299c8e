import PyFnArrow
import PyFnRunner

/// Groups rows by their key columns and keeps one accumulator per aggregate per group, with the groups spread over
/// `partitions` hash partitions (the way a parallel job partitions a GROUP BY by key). It hands back every group at
/// the end of bounded input, or the groups that changed since last asked, for streaming upserts.
struct HashAggregator {
    /// The groups of one partition: each key's position, and keys and accumulators by position.
    private struct Partition {
        var positions: [[ArrowValue]: Int] = [:]
        var keys: [[ArrowValue]] = []
        var accumulators: [[Accumulator]] = []
        var changed: Set<Int> = []
    }

    private let keyCount: Int
    private let aggregates: [AggregateSpec]
    private var partitions: [Partition]

    init(keyCount: Int, aggregates: [AggregateSpec], partitions: Int) {
        self.keyCount = keyCount
        self.aggregates = aggregates
        self.partitions = Array(repeating: Partition(), count: max(1, partitions))
    }

    /// The number of groups so far.
    var groupCount: Int { partitions.reduce(0) { $0 + $1.keys.count } }

    /// Adds rows whose first `keyCount` columns are the key and whose other columns are aggregate arguments.
    mutating func add(_ batch: RecordBatch) {
        for row in 0..<batch.length {
            let key = (0..<keyCount).map { batch.columns[$0].value(at: row) }
            let partition = Int(UInt(bitPattern: key.hashValue) % UInt(partitions.count))
            let position: Int
            if let known = partitions[partition].positions[key] {
                position = known
            } else {
                position = partitions[partition].keys.count
                partitions[partition].positions[key] = position
                partitions[partition].keys.append(key)
                partitions[partition].accumulators.append(aggregates.map(Accumulator.init))
            }
            for (index, spec) in aggregates.enumerated() {
                partitions[partition].accumulators[position][index].add(spec.argument.map { batch.columns[$0].value(at: row) })
            }
            partitions[partition].changed.insert(position)
        }
    }

    /// Every group as a row: keys, then aggregates.
    func allGroups(schema: ArrowSchema) throws -> RecordBatch {
        try rows(partitions.flatMap { partition in partition.keys.indices.map { (partition.keys[$0], partition.accumulators[$0]) } }, schema: schema)
    }

    /// The groups that changed since the last call, as rows.
    mutating func changedGroups(schema: ArrowSchema) throws -> RecordBatch {
        var groups: [([ArrowValue], [Accumulator])] = []
        for index in partitions.indices {
            for position in partitions[index].changed.sorted() {
                groups.append((partitions[index].keys[position], partitions[index].accumulators[position]))
            }
            partitions[index].changed = []
        }
        return try rows(groups, schema: schema)
    }

    private func rows(_ groups: [([ArrowValue], [Accumulator])], schema: ArrowSchema) throws -> RecordBatch {
        var builders = schema.fields.map { ArrowArrayBuilder(type: $0.type) }
        for (key, accumulators) in groups {
            for (index, value) in (key + zip(accumulators, aggregates).map { $0.result(type: $1.type) }).enumerated() {
                if value == .null { builders[index].appendNull() } else { try builders[index].append(value) }
            }
        }
        return try RecordBatch(schema: schema, columns: builders.indices.map { builders[$0].finish() })
    }
}

/// The running state of one aggregate for one group.
private struct Accumulator {
    let function: AggregateSpec.Function
    let distinct: Bool
    var count: Int64 = 0
    var integerSum: Int64 = 0
    var doubleSum = 0.0
    var isInteger = true
    var extreme: ArrowValue = .null
    var seen: Set<ArrowValue> = []

    init(_ spec: AggregateSpec) {
        function = spec.function
        distinct = spec.distinct
    }

    /// Adds one row's argument; nil is COUNT(*)'s "no argument".
    mutating func add(_ value: ArrowValue?) {
        guard let value else { count += 1; return }
        if value == .null { return }
        if distinct {
            guard seen.insert(value).inserted else { return }
        }
        count += 1
        switch function {
        case .count: break
        case .sum, .avg:
            if case .int(let v) = value {
                integerSum &+= v
                doubleSum += Double(v)
            } else {
                isInteger = false
                doubleSum += value.number
            }
        case .min, .max:
            if extreme == .null || (function == .min ? value.isLess(than: extreme) : extreme.isLess(than: value)) { extreme = value }
        }
    }

    func result(type: SQLType) -> ArrowValue {
        switch function {
        case .count: return .int(count)
        case .sum: return count == 0 ? .null : (type.isInteger ? .int(integerSum) : .float(doubleSum))
        case .avg: return count == 0 ? .null : .float(doubleSum / Double(count))
        case .min, .max: return extreme
        }
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
