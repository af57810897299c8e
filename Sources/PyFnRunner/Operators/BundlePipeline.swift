import PyFnArrow

/// The part every Python operator shares: it gathers input rows into bundles of ``BundleOptions/bundleSize`` rows
/// (or fewer after ``BundleOptions/bundleTime``), keeps up to ``BundleOptions/maxBundlesInFlight`` bundles at the
/// worker at once, and hands back each bundle's input with its result, in input order.
struct BundlePipeline {
    /// A finished bundle: the rows that went in and what came back.
    typealias Completed = (input: RecordBatch, result: BundleResult)

    let supervisor: WorkerSupervisor
    let descriptorID: String
    let options: BundleOptions
    private var buffered: [RecordBatch] = []
    private var bufferedRows = 0
    private var oldestBufferedAt: ContinuousClock.Instant?
    private var inFlight: [(input: RecordBatch, result: Task<BundleResult, any Error>)] = []

    init(supervisor: WorkerSupervisor, descriptorID: String, options: BundleOptions) {
        self.supervisor = supervisor
        self.descriptorID = descriptorID
        self.options = options
    }

    /// Rows buffered or at the worker, not yet handed back.
    var queuedRows: Int { bufferedRows + inFlight.reduce(0) { $0 + $1.input.length } }

    /// Adds rows; returns the bundles that completed meanwhile.
    mutating func add(_ batch: RecordBatch) async throws -> [Completed] {
        if batch.length > 0 {
            if oldestBufferedAt == nil { oldestBufferedAt = .now }
            buffered.append(batch)
            bufferedRows += batch.length
        }
        var completed: [Completed] = []
        while bufferedRows >= options.bundleSize {
            completed += try await send(try takeBuffered(options.bundleSize))
        }
        completed += try await sendIfDue()
        return completed
    }

    /// Sends the buffered rows if the oldest has waited ``BundleOptions/bundleTime``; returns completed bundles.
    mutating func sendIfDue() async throws -> [Completed] {
        guard let oldest = oldestBufferedAt, ContinuousClock.now - oldest >= options.bundleTime else { return [] }
        return try await send(try takeBuffered(bufferedRows))
    }

    /// Sends whatever is buffered and waits for every bundle at the worker.
    mutating func flush() async throws -> [Completed] {
        var completed: [Completed] = []
        if bufferedRows > 0 { completed += try await send(try takeBuffered(bufferedRows)) }
        while !inFlight.isEmpty { completed.append(try await completeOldest()) }
        return completed
    }

    /// Abandons bundles at the worker (after an error).
    mutating func cancel() {
        for bundle in inFlight { bundle.result.cancel() }
        inFlight = []
        buffered = []
        bufferedRows = 0
        oldestBufferedAt = nil
    }

    private mutating func send(_ input: RecordBatch) async throws -> [Completed] {
        let supervisor = self.supervisor
        let descriptorID = self.descriptorID
        inFlight.append((input, Task { try await supervisor.processBundle(descriptorID: descriptorID, input: input) }))
        var completed: [Completed] = []
        while inFlight.count >= options.maxBundlesInFlight { completed.append(try await completeOldest()) }
        return completed
    }

    private mutating func completeOldest() async throws -> Completed {
        let oldest = inFlight.removeFirst()
        do {
            return (oldest.input, try await oldest.result.value)
        } catch {
            cancel()
            throw error
        }
    }

    /// Removes the first `rows` buffered rows as one batch.
    private mutating func takeBuffered(_ rows: Int) throws -> RecordBatch {
        let all = buffered.count == 1 ? buffered[0] : try RecordBatch.concatenate(buffered)
        let taken = all.slice(0..<rows)
        buffered = rows < all.length ? [all.slice(rows..<all.length)] : []
        bufferedRows = all.length - rows
        oldestBufferedAt = bufferedRows > 0 ? .now : nil
        return taken
    }
}
