import PyFnArrow
import PyFnProto
import PyFnRunner
import PyFnTestSupport
import Testing

/// ``WorkerSupervisor`` with many bundles in flight and workers that die under them, without Python
/// (``FakeWorkerEnvironment``): a restart is counted once per worker lost — never once per bundle that saw the loss,
/// nor for a bundle that waited for a worker which was lost and replaced before the bundle resumed — and every
/// bundle's answer is its own.
@Suite struct WorkerSupervisorTests {
    static let schema = ArrowSchema([ArrowField("a", .int64)])

    /// Each input value doubled, as the worker answers.
    static let double: FakeWorkerEnvironment.Compute = { input in
        let values = (0..<input.length).map { row -> Int64 in
            if case .int(let a) = input.columns[0].value(at: row) { return a * 2 }
            return -1
        }
        return [try RecordBatch(schema: ArrowSchema([ArrowField("f0", .int64)]), columns: [.int64(values)])]
    }

    static func firstValue(_ result: BundleResult) -> Int64? {
        guard let batch = result.batches.first, batch.length > 0, case .int(let value) = batch.columns[0].value(at: 0) else { return nil }
        return value
    }

    /// Runs `bundles` one-row bundles (values 0, 1, 2, …) on `supervisor` at once; their first output values.
    static func runAtOnce(_ bundles: Int, on supervisor: WorkerSupervisor) async throws -> [Int: Int64?] {
        try await withThrowingTaskGroup(of: (Int, Int64?).self) { group in
            for number in 0..<bundles {
                group.addTask {
                    let input = try RecordBatch(schema: schema, columns: [.int64([Int64(number)])])
                    let result = try await supervisor.processBundle(descriptorID: "1", input: input)
                    return (number, firstValue(result))
                }
            }
            var answers: [Int: Int64?] = [:]
            for try await (number, value) in group { answers[number] = value }
            return answers
        }
    }

    @Test(arguments: [Duration.zero, .milliseconds(1), .milliseconds(5)])
    func restartsCountWorkersLostWhileBundlesWaitForTheirReplacement(bundleTime: Duration) async throws {
        for round in 0..<10 {
            // Workers start slowly, so bundles queue for each replacement; losses come early and close together.
            let environment = FakeWorkerEnvironment(bundleTime: bundleTime, startTime: .milliseconds(3),
                                                    loseWorkerAt: [1, 4, 9, 10, 30, 31, 60], compute: Self.double)
            let supervisor = WorkerSupervisor(environment: environment, maxRestarts: 20)
            let answers = try await Self.runAtOnce(64, on: supervisor)
            #expect(answers.count == 64)
            for (number, value) in answers { #expect(value == Int64(number * 2), "round \(round), bundle \(number)") }
            let record = environment.record
            let restarts = await supervisor.restarts
            #expect(restarts == record.workersLost, "round \(round): \(restarts) restarts for \(record.workersLost) workers lost")
            #expect(record.workersStarted == record.workersLost + 1, "round \(round): \(record.workersStarted) workers started")
            #expect(record.workersLost >= 1)
            await supervisor.stop()
        }
    }

    @Test func aStoppedSupervisorStartsNoWorkerAndLeavesNoneRunning() async throws {
        let environment = FakeWorkerEnvironment(startTime: .milliseconds(20), compute: Self.double)
        let supervisor = WorkerSupervisor(environment: environment)
        let bundle = Task { try await Self.runAtOnce(1, on: supervisor) }
        try await Task.sleep(for: .milliseconds(5))
        await supervisor.stop()
        await #expect(throws: (any Error).self) { try await bundle.value }
        await #expect(throws: (any Error).self) { try await Self.runAtOnce(1, on: supervisor) }
        #expect(environment.record.bundlesBegun == 0)
    }
}
