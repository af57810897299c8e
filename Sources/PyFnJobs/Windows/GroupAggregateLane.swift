import PyFnArrow
import PyFnRunner
import Synchronization

/// One Python aggregate operator (one Python worker) driven by a task of its own: callers from any task hand it
/// batches and await all their rows (a ``GroupAggregateOperator`` given whole groups, or an
/// ``AggregateFunctionOperator`` in per-row mode). Several lanes run their bundles at the same time.
///
/// Requests are pipelined: each is sent to the worker as soon as the lane takes it (its own bundle or bundles),
/// while earlier ones are still computing, and answered in order as their bundles complete. Running one request's
/// `process + finish` at a time left the worker idle while each answer travelled back and the next request was
/// encoded: in `pyfn-bench pandas_udaf_window` a 60,000-row firing took 25 ms, of which Python computed ~12 ms.
/// The lane never waits for a new request while it holds unanswered ones (their callers may be waiting for them
/// before they send more), so it completes its oldest bundle instead.
final class GroupAggregateLane: Sendable {
    private struct Request: Sendable {
        let groups: RecordBatch
        let reply: CheckedContinuation<[RecordBatch], any Error>
    }
    /// A request at the worker: its reply, the bundles it still waits for and the rows of those that came back.
    private struct Sent {
        let reply: CheckedContinuation<[RecordBatch], any Error>
        var bundles: Int
        var rows: [RecordBatch] = []
    }
    private let mailbox = Mailbox<Request>()
    private let task: Task<Void, Never>

    /// Starts a lane whose operator `make` builds and opens at once (starting its worker).
    init(make: @escaping @Sendable () throws -> PythonFunctionOperator) {
        let mailbox = self.mailbox
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
            var sent: [Sent] = []
            /// Hands completed bundles' rows to the oldest requests and answers those that have all theirs.
            func hand(_ completed: [[RecordBatch]]) {
                for rows in completed {
                    sent[0].rows += rows
                    sent[0].bundles -= 1
                    while let first = sent.first, first.bundles == 0 {
                        first.reply.resume(returning: first.rows)
                        sent.removeFirst()
                    }
                }
            }
            func fail(_ error: any Error) {
                failure = error
                for request in sent { request.reply.resume(throwing: error) }
                sent = []
            }
            while true {
                let requests = mailbox.takeAll()
                if requests.isEmpty {
                    if sent.isEmpty {
                        if await mailbox.waitForMail() { continue }
                        break
                    }
                    do {
                        if let rows = try await op!.completeOldestBundle() { hand([rows]) }
                    } catch {
                        fail(error)
                    }
                    continue
                }
                for request in requests {
                    if let failure {
                        request.reply.resume(throwing: failure)
                        continue
                    }
                    do {
                        let (bundles, completed) = try await op!.send(request.groups)
                        if bundles == 0 && sent.isEmpty {
                            request.reply.resume(returning: [])
                        } else {
                            sent.append(Sent(reply: request.reply, bundles: bundles))
                        }
                        hand(completed)
                    } catch {
                        request.reply.resume(throwing: error)
                        fail(error)
                    }
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
            if !mailbox.post(Request(groups: groups, reply: reply)) {
                reply.resume(throwing: CancellationError())
            }
        }
    }

    /// Stops the worker once the requests before it are answered.
    func close() async {
        mailbox.close()
        await task.value
    }
}

/// Requests posted from any task to one consumer task, which takes all that wait at once and can ask without
/// waiting (``takeAll()``) — what an `AsyncStream` cannot do.
private final class Mailbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var consumer: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Mutex(State())

    /// Posts an item; false (and nothing posted) once the mailbox is closed.
    func post(_ item: Item) -> Bool {
        let consumer: CheckedContinuation<Void, Never>?? = state.withLock { state in
            guard !state.closed else { return .none }
            state.items.append(item)
            defer { state.consumer = nil }
            return .some(state.consumer)
        }
        guard case .some(let waiting) = consumer else { return false }
        waiting?.resume()
        return true
    }

    /// Every item posted and not taken yet, oldest first (none: empty).
    func takeAll() -> [Item] {
        state.withLock { state in
            defer { state.items = [] }
            return state.items
        }
    }

    /// Waits until an item is posted or the mailbox closes; false when it is closed and empty.
    func waitForMail() async -> Bool {
        await withCheckedContinuation { (consumer: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if !state.items.isEmpty || state.closed { return true }
                state.consumer = consumer
                return false
            }
            if now { consumer.resume() }
        }
        return state.withLock { !$0.items.isEmpty }
    }

    /// Refuses further items and wakes the consumer.
    func close() {
        let consumer = state.withLock { state in
            state.closed = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }
}
