import PyFnArrow
@testable import PyFnJobs
import PyFnRunner
import PyFnTestSupport
import Testing

/// A group-aggregate lane pipelines its requests (each sent to the worker while earlier ones compute): requests
/// sent together overlap at the worker (a worker without Python shows it), many requests from concurrent callers
/// each get their own groups' results, in both worker modes, a lost worker's bundles are replayed; a function
/// that fails fails its own request and every later one with its message, never answers a request with another's
/// rows, and never leaves a caller waiting.
@Suite(.serialized) struct GroupAggregateLaneTests {
    static let schema = ArrowSchema([ArrowField("__group", .int64, nullable: false), ArrowField("v", .int64)])

    /// A lane over `function` (a general aggregate of the test modules), and the server a process worker uses.
    static func lane(function: String, embedded: Bool) async throws -> (GroupAggregateLane, FnAPIServer?) {
        var python = PythonOptions()
        python.executable = TestPython.executable
        python.files = [TestPython.repositoryRoot.appendingPathComponent("Tests/PyFnRunnerTests/python").path,
                        TestPython.repositoryRoot.appendingPathComponent("worker/tests").path]
        let call = FunctionCall(.reference(function, kind: .aggregate, returns: .bigint), [.column(1)])
        let server = embedded ? nil : try await FnAPIServer.start()
        let environment: any WorkerEnvironment = server.map { ProcessEnvironment(server: $0, options: python) }
            ?? EmbeddedEnvironment(options: python)
        let options = python
        let lane = GroupAggregateLane {
            try GroupAggregateOperator(calls: [call], inputSchema: schema, environment: environment, python: options)
        }
        return (lane, server)
    }

    /// A lane over a worker without Python (`udfs_aggregates.total` in name only: `environment` computes).
    static func lane(on environment: FakeWorkerEnvironment) -> GroupAggregateLane {
        let call = FunctionCall(.reference("udfs_aggregates.total", kind: .aggregate, returns: .bigint), [.column(1)])
        return GroupAggregateLane {
            try GroupAggregateOperator(calls: [call], inputSchema: schema, environment: environment)
        }
    }

    /// What the Python `total` answers for a bundle: `__group` and the sum of column 1, group by group.
    static let sumPerGroup: FakeWorkerEnvironment.Compute = { input in
        var groups: [Int64] = []
        var sums: [Int64] = []
        for row in 0..<input.length {
            guard case .int(let group) = input.columns[0].value(at: row), case .int(let value) = input.columns[1].value(at: row) else { continue }
            if groups.last != group {
                groups.append(group)
                sums.append(0)
            }
            sums[sums.count - 1] += value
        }
        return [try RecordBatch(schema: GroupAggregateOperator.outputSchema(calls: [
            FunctionCall(.reference("total", kind: .aggregate, returns: .bigint), [.column(1)])]),
            columns: [.int64(groups), .int64(sums)])]
    }

    /// Sends every request from its own task at once; each one's sums by request number.
    static func sendTogether(_ requests: [(batch: RecordBatch, sums: [Int64: Int64])], to lane: GroupAggregateLane) async throws -> [Int: [Int64: Int64]] {
        try await withThrowingTaskGroup(of: (Int, [Int64: Int64]).self) { tasks in
            for (r, request) in requests.enumerated() {
                tasks.addTask { (r, Self.sums(try await lane.aggregate(request.batch))) }
            }
            var answers: [Int: [Int64: Int64]] = [:]
            for try await (r, sums) in tasks { answers[r] = sums }
            return answers
        }
    }

    @Test func requestsSentTogetherRunAtTheWorkerAtOnce() async throws {
        let environment = FakeWorkerEnvironment(bundleTime: .milliseconds(40), compute: Self.sumPerGroup)
        let lane = Self.lane(on: environment)
        let requests = try (0..<8).map { try Self.request($0) }
        let answers = try await Self.sendTogether(requests, to: lane)
        await lane.close()
        for (r, request) in requests.enumerated() { #expect(answers[r] == request.sums, "request \(r)") }
        // One request's `process + finish` at a time kept one bundle at the worker.
        #expect(environment.record.mostBundlesAtOnce >= 2)
        #expect(environment.record.bundlesBegun == 8)
    }

    @Test func aLostWorkersBundlesAreReplayedOnItsReplacement() async throws {
        let environment = FakeWorkerEnvironment(bundleTime: .milliseconds(10), loseWorkerAt: [3], compute: Self.sumPerGroup)
        let lane = Self.lane(on: environment)
        let requests = try (0..<8).map { try Self.request($0, groups: 2 + $0) }
        let answers = try await Self.sendTogether(requests, to: lane)
        await lane.close()
        for (r, request) in requests.enumerated() { #expect(answers[r] == request.sums, "request \(r)") }
        #expect(environment.record.workersStarted == 2)
        #expect(environment.record.bundlesBegun > 8)
    }

    /// Request `r`: `groups` groups of 3 rows, values 100·r + 10·g + (1, 2, 4), so each group's sum names its request.
    static func request(_ r: Int, groups: Int = 5) throws -> (batch: RecordBatch, sums: [Int64: Int64]) {
        var group: [Int64] = []
        var values: [Int64] = []
        var sums: [Int64: Int64] = [:]
        for g in 0..<groups {
            for part in [1, 2, 4] as [Int64] {
                group.append(Int64(g))
                values.append(Int64(100 * r + 10 * g) + part)
                sums[Int64(g), default: 0] += Int64(100 * r + 10 * g) + part
            }
        }
        return (try RecordBatch(schema: schema, columns: [.int64(group), .int64(values)]), sums)
    }

    static func sums(_ batches: [RecordBatch]) -> [Int64: Int64] {
        var sums: [Int64: Int64] = [:]
        for batch in batches {
            for row in 0..<batch.length {
                if case .int(let group) = batch.columns[0].value(at: row), case .int(let sum) = batch.columns[1].value(at: row) {
                    sums[group] = sum
                }
            }
        }
        return sums
    }

    @Test(arguments: [false, true]) func concurrentRequestsEachGetTheirOwnGroups(embedded: Bool) async throws {
        let (lane, server) = try await Self.lane(function: "udfs_aggregates.total", embedded: embedded)
        let requests = try (0..<24).map { try Self.request($0, groups: 1 + $0 % 7) }
        let answers = try await Self.sendTogether(requests, to: lane)
        await lane.close()
        await server?.shutdown()
        for (r, request) in requests.enumerated() {
            #expect(answers[r] == request.sums, "request \(r)")
        }
    }

    @Test func aFailingFunctionFailsItsRequestAndTheLaterOnesWithItsMessage() async throws {
        let (lane, server) = try await Self.lane(function: "aggregate_udfs.fails_on_three", embedded: false)
        // Requests' values are 100·r + 10·g + (1, 2, 4): never 3, but in `bad`.
        let good = try Self.request(0)
        let bad = try RecordBatch(schema: Self.schema, columns: [.int64([0, 0]), .int64([1, 3])])
        let first = Self.sums(try await lane.aggregate(good.batch))
        #expect(first == good.sums)
        let outcomes = await withTaskGroup(of: (Int, Result<[Int64: Int64], any Error>).self) { tasks in
            for r in 0..<6 {
                tasks.addTask {
                    do {
                        let request = r == 2 ? bad : try Self.request(r + 1).batch
                        return (r, .success(Self.sums(try await lane.aggregate(request))))
                    } catch {
                        return (r, .failure(error))
                    }
                }
            }
            var outcomes: [Int: Result<[Int64: Int64], any Error>] = [:]
            for await (r, outcome) in tasks { outcomes[r] = outcome }
            return outcomes
        }
        for r in 0..<6 {
            switch outcomes[r]! {
            case .success(let sums):
                #expect(r != 2, "the request holding 3 was answered")
                #expect(sums == (try Self.request(r + 1).sums), "request \(r) got another request's rows")
            case .failure(let error):
                #expect("\(error)".contains("three is not allowed"), "\(error)")
            }
        }
        // Once failed, the lane answers every later request with the failure.
        await #expect(throws: (any Error).self) { _ = try await lane.aggregate(good.batch) }
        await lane.close()
        await server?.shutdown()
    }
}
