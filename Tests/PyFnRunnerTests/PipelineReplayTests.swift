import PyFnArrow
import PyFnRunner
import PyFnTestSupport
import Testing

/// The bundle pipeline around a worker that is lost again and again, without Python (``FakeWorkerEnvironment``):
/// bundles go out several at a time, every lost bundle is replayed on a new worker, and the output holds each
/// input row once, in input order; past `python.worker.max-restarts` the operator fails naming its functions and
/// the restarts instead of hanging.
@Suite struct PipelineReplayTests {
    static let schema = ArrowSchema([ArrowField("a", .int64), ArrowField("b", .int64)])
    static let call = FunctionCall(.reference("scalar_udfs.add", returns: .bigint), [.column(0), .column(1)])

    /// `add(a, b)` as the worker would answer it.
    static let add: FakeWorkerEnvironment.Compute = { input in
        let sums = (0..<input.length).map { row -> Int64 in
            guard case .int(let a) = input.columns[0].value(at: row), case .int(let b) = input.columns[1].value(at: row) else { return 0 }
            return a + b
        }
        return [try RecordBatch(schema: ArrowSchema([ArrowField("f0", .int64)]), columns: [.int64(sums)])]
    }

    /// 40 batches of 500 rows: a = 0, 1, 2, …; b = 7a mod 1,000.
    static func batches() throws -> [RecordBatch] {
        try (0..<40).map { batch in
            let a = (batch * 500..<(batch + 1) * 500).map { Int64($0) }
            return try RecordBatch(schema: schema, columns: [.int64(a), .int64(a.map { $0 * 7 % 1_000 })])
        }
    }

    static func run(on environment: FakeWorkerEnvironment, bundlesInFlight: Int = 3) async throws -> [Int64] {
        var bundle = BundleOptions()
        bundle.bundleSize = 2_000
        bundle.maxBundlesInFlight = bundlesInFlight
        let op = try ScalarFunctionOperator(calls: [call], inputSchema: schema, forwardedColumns: [], environment: environment, bundle: bundle)
        do {
            try await op.open()
            var output: [RecordBatch] = []
            for batch in try batches() { output += try await op.process(batch) }
            output += try await op.finish()
            await op.close()
            return output.flatMap { batch in (0..<batch.length).map { row in
                if case .int(let sum) = batch.columns[0].value(at: row) { return sum }
                return -1
            } }
        } catch {
            await op.close()
            throw error
        }
    }

    @Test func lostBundlesAreReplayedAndEveryRowComesOutOnceInOrder() async throws {
        let environment = FakeWorkerEnvironment(bundleTime: .milliseconds(5), loseWorkerAt: [2, 5, 9], compute: Self.add)
        let sums = try await Self.run(on: environment)
        let expected: [Int64] = (0..<Int64(20_000)).map { a in a + a * 7 % 1_000 }
        #expect(sums == expected)
        // Each loss retires one worker unless two bundles lose the same one (bundles overlap): 2 to 4 workers.
        #expect((2...4).contains(environment.record.workersStarted))
        #expect(environment.record.mostBundlesAtOnce >= 2)
        #expect(environment.record.bundleRows.allSatisfy { $0 == 2_000 })
    }

    @Test func aWorkerLostMoreOftenThanMaxRestartsFailsTheOperatorNamingItsFunctions() async throws {
        // One bundle at a time, so each loss retires its own worker: the fourth loss passes the budget of 3.
        let environment = FakeWorkerEnvironment(loseWorkerAt: [1, 2, 3, 4], compute: Self.add)
        do {
            _ = try await Self.run(on: environment, bundlesInFlight: 1)
            Issue.record("the operator went on after its worker was lost four times")
        } catch {
            let message = "\(error)"
            #expect(message.contains("while running add: the fake worker was lost at bundle 4"), "\(message)")
            #expect(message.contains("gave up after 3 restarts"), "\(message)")
        }
        #expect(environment.record.workersStarted == 4)
    }
}
