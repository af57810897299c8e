import PyFnArrow

/// A bounded queue of record batches between the subtasks of two nodes: `send` waits while it holds
/// ``capacity`` batches (so a fast source cannot run ahead of a slow Python operator by more than that), and
/// `receive` waits while it is empty. It ends when every writer has called ``close()``; ``fail()`` ends it at
/// once, waking everyone (a job that failed somewhere).
actor BatchChannel {
    /// Most batches queued.
    let capacity: Int
    private var queue: [RecordBatch] = []
    private var head = 0
    private var openWriters: Int
    private var failed = false
    private var waitingReceiver: CheckedContinuation<Void, Never>?
    private var waitingSenders: [CheckedContinuation<Void, Never>] = []

    /// A channel written by `writers` subtasks.
    init(writers: Int, capacity: Int = 8) {
        self.openWriters = writers
        self.capacity = capacity
    }

    /// Queues a batch, waiting while the channel is full; dropped once the channel failed.
    func send(_ batch: RecordBatch) async {
        while queue.count - head >= capacity && !failed {
            await withCheckedContinuation { waitingSenders.append($0) }
        }
        guard !failed else { return }
        queue.append(batch)
        wakeReceiver()
    }

    /// The next batch, or nil once every writer closed and the queue is drained (or the channel failed).
    func receive() async -> RecordBatch? {
        switch await receive(until: nil) {
        case .batch(let batch): return batch
        case .end, .quiet: return nil
        }
    }

    /// What ``receive(until:)`` got.
    enum Received {
        /// A batch.
        case batch(RecordBatch)
        /// The end: every writer closed and the queue is drained, or the channel failed.
        case end
        /// Nothing came before the deadline.
        case quiet
    }

    /// The next batch, the end, or ``Received/quiet`` once `deadline` (nil: none) passes with nothing queued (a
    /// subtask with processing-time timers waits no longer than its next timer).
    func receive(until deadline: ContinuousClock.Instant?) async -> Received {
        let alarm = deadline.map { deadline in
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if !Task.isCancelled { self.wakeReceiver() }
            }
        }
        defer { alarm?.cancel() }
        while true {
            if failed { return .end }
            if head < queue.count {
                let batch = queue[head]
                head += 1
                if head > 64 && head * 2 > queue.count {
                    queue.removeFirst(head)
                    head = 0
                }
                let senders = waitingSenders
                waitingSenders = []
                for sender in senders { sender.resume() }
                return .batch(batch)
            }
            if openWriters == 0 { return .end }
            if let deadline, ContinuousClock.now >= deadline { return .quiet }
            await withCheckedContinuation { waitingReceiver = $0 }
        }
    }

    /// One writer is done.
    func close() {
        openWriters -= 1
        wakeReceiver()
    }

    /// Ends the channel now: waiting senders and the receiver resume, and nothing more is delivered.
    func fail() {
        failed = true
        wakeReceiver()
        let senders = waitingSenders
        waitingSenders = []
        for sender in senders { sender.resume() }
    }

    private func wakeReceiver() {
        if let receiver = waitingReceiver {
            waitingReceiver = nil
            receiver.resume()
        }
    }
}
