import Foundation
import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// Aggregate functions end to end through real workers: accumulators in the runner's state, reached over the
/// State service, one upsert row per key and bundle.
@Suite(.serialized) struct AggregateFunctionOperatorTests {
    static func aggregate(_ name: String) -> PythonFunction {
        let module = ["total", "count"].contains(name) ? "udfs_aggregates" : "aggregate_udfs"
        return .reference("\(module).\(name)", kind: .aggregate, returns: .bigint)
    }

    /// Words and values in batches of 7 rows; bundles of 5 rows, so keys recur across bundles.
    static let words = (0..<60).map { "w\($0 % 4)" }
    static let values: [Int64?] = (0..<60).map { $0 % 9 == 0 ? nil : Int64($0) }
    static func input() throws -> [RecordBatch] {
        try stride(from: 0, to: words.count, by: 7).map { start in
            let end = min(start + 7, words.count)
            let values = Array(Self.values[start..<end])
            return try RecordBatch(schema: ArrowSchema([ArrowField("word", .utf8), ArrowField("value", .int64)]),
                                   columns: [.utf8(Array(words[start..<end])),
                                             .int64(values.map { $0 ?? 0 }, validity: values.map { $0 != nil })])
        }
    }
    static var smallBundles: BundleOptions {
        var bundle = BundleOptions()
        bundle.bundleSize = 5
        return bundle
    }

    /// The latest row of each key (the upsert stream's result), as key → values.
    static func latest(_ output: RecordBatch) -> [String: [ArrowValue]] {
        var rows: [String: [ArrowValue]] = [:]
        for row in 0..<output.length {
            rows["\(output.columns[0].value(at: row))"] = output.columns.dropFirst().map { $0.value(at: row) }
        }
        return rows
    }

    /// The per-word sums and row counts, computed here.
    static func expected() -> [String: [ArrowValue]] {
        var sums: [String: Int64] = [:]
        var counts: [String: Int64] = [:]
        for (word, value) in zip(words, values) {
            sums[word, default: 0] += value ?? 0
            counts[word, default: 0] += 1
        }
        return Dictionary(uniqueKeysWithValues: sums.keys.map { ("\(ArrowValue.string($0))", [.int(sums[$0]!), .int(counts[$0]!)]) })
    }

    func run(_ calls: [FunctionCall], grouping: [Int], python: PythonOptions = Harness.pythonOptions(),
             workers: WorkerKind = .process) async throws -> RecordBatch {
        let batches = try Self.input()
        return try await Harness.run(over: batches, python: python, workers: workers) { environment in
            try AggregateFunctionOperator(calls: calls, grouping: grouping, inputSchema: batches[0].schema,
                                          environment: environment, bundle: Self.smallBundles, python: python)
        }
    }

    @Test func sumsAndCountsPerKeyCarryAcrossBundlesThroughTheRunnersState() async throws {
        let output = try await run([FunctionCall(Self.aggregate("total"), [.column(1)]),
                                    FunctionCall(Self.aggregate("count"), [.column(1)])], grouping: [0])
        #expect(output.schema.fields.map(\.name) == ["word", "f0", "f1"])
        #expect(output.length > 4, "one row per key and bundle: \(output.length)")
        #expect(Self.latest(output) == Self.expected())
    }

    @Test func aGlobalAggregateHasOneGroup() async throws {
        let output = try await run([FunctionCall(Self.aggregate("count"), [.constant(.bigint(1))])], grouping: [])
        #expect(output.schema.fields.map(\.name) == ["f0"])
        #expect(output.columns[0].value(at: output.length - 1) == .int(Int64(Self.words.count)))
    }

    @Test func aCrashedWorkerGoesOnFromTheRunnersStateWithoutCountingTwice() async throws {
        let marker = try TestPython.temporaryFolder()
        let output = try await run([FunctionCall(Self.aggregate("crash_once_total"), [.column(1)]),
                                    FunctionCall(Self.aggregate("count"), [.column(1)])], grouping: [0],
                                   python: Harness.pythonOptions { $0.jobParameters = ["marker_dir": marker.path] })
        #expect(FileManager.default.fileExists(atPath: marker.appendingPathComponent("crashed").path))
        #expect(Self.latest(output) == Self.expected())
    }

    @Test func aRaisingAggregateNamesItselfTheRowAndTheTraceback() async throws {
        var message = "no error"
        do {
            _ = try await run([FunctionCall(Self.aggregate("fails_on_three"), [.column(1)])], grouping: [0])
        } catch {
            message = "\(error)"
        }
        #expect(message.contains("fails_on_three"), "\(message)")
        #expect(message.contains("three is not allowed"), "\(message)")
        #expect(message.contains("Traceback"), "\(message)")
    }

    @Test func embeddedModeKeepsTheAccumulatorsInTheInterpreterAcrossBundles() async throws {
        let calls = [FunctionCall(Self.aggregate("total"), [.column(1)]), FunctionCall(Self.aggregate("count"), [.column(1)])]
        let output = try await run(calls, grouping: [0], workers: .embedded)
        #expect(output.length > 4, "one row per key and bundle: \(output.length)")
        #expect(Self.latest(output) == Self.expected())
        // A DISTINCT call sees each value of a key once (NULL is one value too: `count` counts every row it sees).
        let distinct = try await run([FunctionCall(Self.aggregate("count"), [.column(1)], distinct: true)], grouping: [0], workers: .embedded)
        let valuesPerWord = Dictionary(grouping: zip(Self.words, Self.values), by: { "\(ArrowValue.string($0.0))" })
        let distinctCounts = valuesPerWord.mapValues { ArrowValue.int(Int64(Set($0.map { $0.1.map(String.init) ?? "NULL" }).count)) }
        #expect(Self.latest(distinct).mapValues { $0[0] } == distinctCounts)
    }
}
