import PyFnArrow
import PyFnRunner

/// One Python aggregate operator (one Python worker) driven by a task of its own: callers from any task hand it
/// batches and await all their rows (a ``GroupAggregateOperator`` given whole groups, or an
/// ``AggregateFunctionOperator`` in per-row mode). Several lanes run their bundles at the same time.
final class GroupAggregateLane: Sendable {
    private struct Request: Sendable {
        let groups: RecordBatch
        let reply: CheckedContinuation<[RecordBatch], any Error>
    }
    private let requests: AsyncStream<Request>.Continuation
    private let task: Task<Void, Never>

    /// Starts a lane whose operator `make` builds and opens at once (starting its worker).
    init(make: @escaping @Sendable () throws -> PythonFunctionOperator) {
        let (stream, continuation) = AsyncStream<Request>.makeStream()
        requests = continuation
        task = Task {
            // The worker starts now, not at the first request: its start and the functions' imports (pandas: 0.8 s)
            // overlap the runner's reading of the rows until the first window fires. A failure is the first
            // request's answer.
            var op: PythonFunctionOperator?
            var failure: (any Error)?
            do {
                let made = try make()
                op = made
                try await made.open()
            } catch {
                failure = error
            }
            for await request in stream {
                if let failure {
                    request.reply.resume(throwing: failure)
                    continue
                }
                do {
                    request.reply.resume(returning: try await op!.process(request.groups) + op!.finish())
                } catch {
                    failure = error
                    request.reply.resume(throwing: error)
                }
            }
            await op?.close()
        }
    }

    /// `count` lanes (at least one) whose operators `make` builds with the metrics it is given. `make(nil)` runs
    /// once first, so that a call that cannot run fails here, before any worker starts.
    static func lanes(count: Int, metrics: RunnerMetrics?,
                      make: @escaping @Sendable (RunnerMetrics?) throws -> PythonFunctionOperator) throws -> [GroupAggregateLane] {
        _ = try make(nil)
        return (0..<max(1, count)).map { _ in GroupAggregateLane { try make(metrics) } }
    }

    /// Every row the operator gives for `groups` (for a group aggregate operator: one per group, `__group`, then
    /// a column per call); `groups` is not empty.
    func aggregate(_ groups: RecordBatch) async throws -> [RecordBatch] {
        try await withCheckedThrowingContinuation { reply in
            if case .terminated = requests.yield(Request(groups: groups, reply: reply)) {
                reply.resume(throwing: CancellationError())
            }
        }
    }

    /// Stops the worker once the requests before it are answered.
    func close() async {
        requests.finish()
        await task.value
    }
}
