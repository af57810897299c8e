import PyFnArrow

/// What a lane gets next from the source.
enum FeedEvent: Sendable {
    /// Rows to process; `firstRow` is the 0-based index in the source of the first (nil when the rows do not come
    /// straight from a source).
    case batch(RecordBatch, firstRow: Int?)
    /// Nothing arrived for a while (unbounded sources): time to send bundles whose time is up.
    case idle
    /// The source has ended.
    case end
}

/// Hands a source's batches to the lanes of a parallel job (or a grouping's rows to its partitions), a few at a
/// time: producers wait while the consumers are behind (back-pressure), and a consumer waiting on a quiet
/// unbounded source is woken with ``FeedEvent/idle``.
actor SourceFeed {
    private var buffered: [(batch: RecordBatch, firstRow: Int?)] = []
    private var ended = false
    private var failure: (any Error)?
    private var waiters: [Int: CheckedContinuation<FeedEvent, any Error>] = [:]
    private var order: [Int] = []
    private var nextWaiter = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Reads `source` to its end (or first error) into the feed, or until the feed fails; run it in its own task.
    func pump(_ batches: AsyncThrowingStream<RecordBatch, any Error>) async {
        do {
            var read = 0
            for try await batch in batches where batch.length > 0 {
                guard await put(batch, firstRow: read) else { return }
                read += batch.length
            }
            finish(nil)
        } catch {
            finish(error)
        }
    }

    /// Adds a batch, waiting while the feed is full; throws once the feed has failed (its consumer is gone).
    func push(_ batch: RecordBatch) async throws {
        if let failure { throw failure }
        guard await put(batch, firstRow: nil), failure == nil else { throw failure ?? CancellationError() }
    }

    /// Ends the feed: consumers get ``FeedEvent/end`` once it is drained.
    func close() {
        finish(nil)
    }

    /// Fails the feed: consumers and producers get `error`.
    func fail(_ error: any Error) {
        buffered = []
        finish(error)
        for waiter in spaceWaiters { waiter.resume() }
        spaceWaiters = []
    }

    /// The next event for a lane; after `idleAfter` without rows it is ``FeedEvent/idle``.
    func next(idleAfter: Duration?) async throws -> FeedEvent {
        if let event = try take() { return event }
        let id = nextWaiter
        nextWaiter += 1
        if let idleAfter {
            Task {
                try? await Task.sleep(for: idleAfter)
                self.wake(id, with: .idle)
            }
        }
        return try await withCheckedThrowingContinuation { continuation in
            waiters[id] = continuation
            order.append(id)
        }
    }

    private func take() throws -> FeedEvent? {
        if !buffered.isEmpty {
            let (batch, firstRow) = buffered.removeFirst()
            // Every waiting producer is woken (each checks again for room), not just one: a producer woken alone may
            // hand its batch straight to a waiting consumer, and then nothing would ever take from the queue again
            // to wake the next — it waited for room in an empty queue for ever (a job hung that way when one of its
            // grouping's partitions failed; `SourceFeedTests`).
            let waiting = spaceWaiters
            spaceWaiters = []
            for producer in waiting { producer.resume() }
            return .batch(batch, firstRow: firstRow)
        }
        if let failure { throw failure }
        return ended ? .end : nil
    }

    /// Adds a batch once there is room; false (and the batch dropped) when the feed has failed meanwhile.
    private func put(_ batch: RecordBatch, firstRow: Int?) async -> Bool {
        while buffered.count >= capacity && failure == nil {
            await withCheckedContinuation { spaceWaiters.append($0) }
        }
        guard failure == nil else { return false }
        if let id = order.first {
            order.removeFirst()
            waiters.removeValue(forKey: id)?.resume(returning: .batch(batch, firstRow: firstRow))
        } else {
            buffered.append((batch, firstRow))
        }
        return true
    }

    private func finish(_ error: (any Error)?) {
        ended = true
        failure = failure ?? error
        for id in order {
            if let failure { waiters[id]?.resume(throwing: failure) } else { waiters[id]?.resume(returning: .end) }
        }
        waiters = [:]
        order = []
    }

    private func wake(_ id: Int, with event: FeedEvent) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        order.removeAll { $0 == id }
        waiter.resume(returning: event)
    }
}
