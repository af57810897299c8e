import Foundation
import PyFnArrow
import PyFnRunner

/// Generates rows (`'connector' = 'datagen'`), with Flink's options.
///
/// - `'number-of-rows'`: how many rows; absent means unbounded, unless a sequence field bounds it.
/// - `'rows-per-second'`: pacing; absent means as fast as the consumer takes them. Paced batches are cut to about
///   a tenth of a second of rows so rows flow steadily.
/// - `'seed'` (PyFn's own): a seed for the random fields, for reproducible runs; absent means a fresh seed per run.
/// - Per column `c`: `'fields.c.kind'` = `random` (the default) or `sequence`;
///   - `sequence` (integers, FLOAT, DOUBLE, DECIMAL, STRING): `'fields.c.start'` and `'fields.c.end'` (inclusive,
///     both required); the source ends after the shortest sequence;
///   - `random`: `'fields.c.min'` / `'fields.c.max'` for numbers (inclusive; integers default to the type's
///     range, FLOAT/DOUBLE/DECIMAL to 0…1), `'fields.c.length'` for STRING (alphanumeric) and BYTES, default 100;
///     `'fields.c.max-past'` (a duration, default 0) for DATE and TIMESTAMP: a value between now minus max-past and
///     now (UTC); TIME: any time of day; BOOLEAN: either;
///   - `'fields.c.null-rate'`: the fraction of NULLs (0 by default).
/// ARRAY, MAP and ROW columns are not generated (an error names the column).
///
/// Numeric and temporal columns are built with Arrow's typed array constructors, not value by value.
public final class DataGenSource: TableSource {
    /// The table's columns as Arrow fields.
    public let schema: ArrowSchema
    /// The number of rows the source produces, nil when unbounded.
    public let rowCount: Int64?
    /// The pacing, nil for as fast as possible.
    public let rowsPerSecond: Double?
    private let seed: UInt64?
    private let fields: [FieldGenerator]

    /// The source declared by `table`; throws ``ConnectorError`` for missing or bad options.
    public init(_ table: TableDefinition) throws {
        let options = TableOptions(table)
        schema = table.schema
        let requestedRows = try options.int("number-of-rows", minimum: 0)
        if let text = options.string("rows-per-second") {
            guard let rate = Double(text), rate > 0 else {
                throw options.error("option 'rows-per-second' must be a positive number, not '\(text)'")
            }
            rowsPerSecond = rate >= 1e9 ? nil : rate
        } else {
            rowsPerSecond = nil
        }
        seed = try options.int("seed").map { UInt64(bitPattern: $0) }
        fields = try table.columns.map { try FieldGenerator($0, options) }
        let sequenceRows = fields.compactMap(\.sequenceLength).min()
        switch (requestedRows, sequenceRows) {
        case (let a?, let b?): rowCount = min(a, b)
        case (let a?, nil): rowCount = a
        case (nil, let b): rowCount = b
        }
        try options.checkNoneLeft()
    }

    /// True when the rows are counted (`'number-of-rows'` or a sequence field).
    public var isBounded: Bool { rowCount != nil }

    /// Always 0: generated rows are never malformed.
    public var skippedRows: Int { 0 }

    /// Generated batches of at most `batchSize` rows; each call starts over (with the same seed, the same rows).
    public func batches(batchSize: Int) -> AsyncThrowingStream<RecordBatch, any Error> {
        var size = max(1, batchSize)
        if let rowsPerSecond { size = min(size, max(1, Int(rowsPerSecond / 10))) }
        let run = DataGenRun(source: self, batchSize: size, seed: seed ?? UInt64.random(in: .min ... .max))
        return AsyncThrowingStream(unfolding: { try await run.next() })
    }

    /// One pass over the generated rows: the row counter, the random state and the pacing clock.
    private final class DataGenRun: @unchecked Sendable {
        let source: DataGenSource
        let batchSize: Int
        var generators: [SplitMix64]
        var produced: Int64 = 0
        let start = ContinuousClock.now

        init(source: DataGenSource, batchSize: Int, seed: UInt64) {
            self.source = source
            self.batchSize = batchSize
            // One independent stream per column, so a column's values do not depend on the others.
            generators = source.fields.indices.map { SplitMix64(seed: seed &+ UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
        }

        func next() async throws -> RecordBatch? {
            var count = Int64(batchSize)
            if let total = source.rowCount { count = min(count, total - produced) }
            guard count > 0, !Task.isCancelled else { return nil }
            if let rate = source.rowsPerSecond {
                let due = start + .nanoseconds(Int64(Double(produced) / rate * 1e9))
                if due > .now {
                    do { try await Task.sleep(until: due, clock: .continuous) } catch { return nil }
                }
            }
            let columns = source.fields.indices.map { i in
                source.fields[i].generate(from: produced, count: Int(count), using: &generators[i])
            }
            produced += count
            return try RecordBatch(schema: source.schema, columns: columns, length: Int(count))
        }
    }
}

/// How one datagen column makes its values.
private struct FieldGenerator: Sendable {
    enum Kind: Sendable {
        case sequence(start: Int64, end: Int64)
        case randomIntegers(ClosedRange<Int64>)
        case randomReals(ClosedRange<Double>)
        case randomLength(Int)
        case randomPast(maxPastMicros: Int64)
        case randomOther
    }

    let type: SQLType
    let kind: Kind
    let nullRate: Double

    init(_ field: SQLField, _ options: TableOptions) throws {
        type = field.type
        let prefix = "fields.\(field.name)."
        func fail(_ message: String) -> ConnectorError { options.error("column '\(field.name)': \(message)") }
        if field.type.isNested { throw fail("datagen cannot generate \(field.type) values") }
        let rate = options.string(prefix + "null-rate").map { Double($0) } ?? 0
        guard let rate, (0...1).contains(rate) else { throw fail("option '\(prefix)null-rate' must be a number from 0 to 1") }
        nullRate = field.type.nullable ? rate : 0
        let kindName = try options.choice(prefix + "kind", ["random", "sequence"], default: "random")
        if kindName == "sequence" {
            switch field.type.kind {
            case .tinyint, .smallint, .int, .bigint, .float, .double, .decimal, .string: break
            default: throw fail("a sequence cannot generate \(field.type) values")
            }
            guard let start = try options.int(prefix + "start"), let end = try options.int(prefix + "end") else {
                throw fail("a sequence needs options '\(prefix)start' and '\(prefix)end'")
            }
            guard start <= end else { throw fail("'\(prefix)start' (\(start)) is after '\(prefix)end' (\(end))") }
            let range = TextValueCodec.integerRange(field.type.kind)
            guard range.contains(start), range.contains(end) else { throw fail("the sequence does not fit \(field.type)") }
            kind = .sequence(start: start, end: end)
            return
        }
        switch field.type.kind {
        case .tinyint, .smallint, .int, .bigint:
            let range = TextValueCodec.integerRange(field.type.kind)
            let low = try options.int(prefix + "min") ?? range.lowerBound
            let high = try options.int(prefix + "max") ?? range.upperBound
            guard range.contains(low), range.contains(high), low <= high else {
                throw fail("'\(prefix)min' and '\(prefix)max' must be in order and fit \(field.type)")
            }
            kind = .randomIntegers(low...high)
        case .float, .double, .decimal:
            func real(_ key: String, _ defaultValue: Double) throws -> Double {
                guard let text = options.string(key) else { return defaultValue }
                guard let value = Double(text), value.isFinite else { throw fail("option '\(key)' must be a number, not '\(text)'") }
                return value
            }
            let low = try real(prefix + "min", 0), high = try real(prefix + "max", 1)
            guard low <= high else { throw fail("'\(prefix)min' is greater than '\(prefix)max'") }
            if case .decimal(let precision, let scale) = field.type.kind {
                let limit = pow(10, Double(precision - scale))
                guard abs(low) < limit, abs(high) < limit else { throw fail("'\(prefix)min' and '\(prefix)max' must fit \(field.type)") }
            }
            kind = .randomReals(low...high)
        case .string, .bytes:
            kind = .randomLength(Int(try options.int(prefix + "length", minimum: 0) ?? 100))
        case .date, .timestamp:
            let past = try options.duration(prefix + "max-past") ?? .zero
            kind = .randomPast(maxPastMicros: past.components.seconds * 1_000_000 + past.components.attoseconds / 1_000_000_000_000)
        default:
            kind = .randomOther
        }
    }

    /// For a sequence, how many values it has.
    var sequenceLength: Int64? {
        if case .sequence(let start, let end) = kind { return end.subtractingReportingOverflow(start).partialValue &+ 1 }
        return nil
    }

    /// `count` values for rows `first…`.
    func generate(from first: Int64, count: Int, using rng: inout SplitMix64) -> ArrowArray {
        let validity: [Bool]? = nullRate > 0 ? (0..<count).map { _ in Double.random(in: 0..<1, using: &rng) >= nullRate } : nil
        switch kind {
        case .sequence(let start, _):
            let values = (0..<Int64(count)).map { start &+ first &+ $0 }
            return integers(values, validity: validity)
        case .randomIntegers(let range):
            return integers((0..<count).map { _ in Int64.random(in: range, using: &rng) }, validity: validity)
        case .randomReals(let range):
            return reals((0..<count).map { _ in Double.random(in: range, using: &rng) }, validity: validity)
        case .randomLength(let length):
            if case .bytes = type.kind {
                return .binary((0..<count).map { i in
                    validity?[i] == false ? nil : (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
                })
            }
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
            return .utf8((0..<count).map { i in
                validity?[i] == false ? nil
                    : String(decoding: (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }, as: UTF8.self)
            })
        case .randomPast(let maxPast):
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let values = (0..<count).map { _ in now - Int64.random(in: 0...max(0, maxPast), using: &rng) }
            if case .date = type.kind {
                return .date32(values.map { Int32(($0 >= 0 ? $0 : $0 - 86_399_999_999) / 86_400_000_000) }, validity: validity)
            }
            return .timestamp(values, unit: .microsecond, validity: validity)
        case .randomOther:
            if case .boolean = type.kind {
                return .boolean((0..<count).map { _ in Bool.random(using: &rng) }, validity: validity)
            }
            let day: Int64 = 86_400_000_000
            return .time64((0..<count).map { _ in Int64.random(in: 0..<day, using: &rng) / timeStep * timeStep },
                           unit: .microsecond, validity: validity)
        }
    }

    /// The microsecond step a TIME(p) value has.
    private var timeStep: Int64 {
        guard case .time(let precision) = type.kind, precision < 6 else { return 1 }
        var step: Int64 = 1
        for _ in precision..<6 { step *= 10 }
        return step
    }

    /// Integer counters or draws as this column's type.
    private func integers(_ values: [Int64], validity: [Bool]?) -> ArrowArray {
        switch type.kind {
        case .tinyint: return .int8(values.map { Int8(truncatingIfNeeded: $0) }, validity: validity)
        case .smallint: return .int16(values.map { Int16(truncatingIfNeeded: $0) }, validity: validity)
        case .int: return .int32(values.map { Int32(truncatingIfNeeded: $0) }, validity: validity)
        case .bigint: return .int64(values, validity: validity)
        case .float, .double, .decimal: return reals(values.map(Double.init), validity: validity)
        default:
            return .utf8(values.indices.map { validity?[$0] == false ? nil : String(values[$0]) })
        }
    }

    /// Real numbers as this column's type (DECIMAL rounded to its scale and kept within its precision).
    private func reals(_ values: [Double], validity: [Bool]?) -> ArrowArray {
        switch type.kind {
        case .float: return .float32(values.map(Float.init), validity: validity)
        case .decimal(let precision, let scale):
            var builder = ArrowArrayBuilder(type: type.arrowType)
            var factor = 1.0
            for _ in 0..<scale { factor *= 10 }
            for (i, value) in values.enumerated() {
                let unscaled = Int128((value * factor).rounded(.towardZero))
                if validity?[i] == false || !TextValueCodec.fits(unscaled, precision: precision) {
                    builder.appendNull()
                } else {
                    try! builder.append(.decimal(unscaled: unscaled, scale: scale))
                }
            }
            return builder.finish()
        default: return .float64(values, validity: validity)
        }
    }
}

/// A small, fast, seedable random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
