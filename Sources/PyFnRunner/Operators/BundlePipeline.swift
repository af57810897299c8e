import PyFnArrow
import PyFnProto

/// The part every Python operator shares: it gathers input rows into bundles of ``BundleOptions/bundleSize`` rows
/// (or fewer after ``BundleOptions/bundleTime``), keeps up to ``BundleOptions/maxBundlesInFlight`` bundles at the
/// worker at once, and hands back each bundle's input with its result, in input order. With a metrics recorder,
/// each bundle's progress reports go to it while it runs (its final values are the operator's to report).
struct BundlePipeline {
    /// A finished bundle: the rows that went in, what came back, how long the round trip took and the bundle's
    /// key in the recorder (0 without one).
    typealias Completed = (input: RecordBatch, result: BundleResult, roundTrip: Duration, bundle: Int)
    private typealias InFlight = (input: RecordBatch, bundle: Int, origins: BundleRowOrigins, result: Task<(BundleResult, Duration), any Error>)

    let supervisor: WorkerSupervisor
    let descriptorID: String
    let options: BundleOptions
    let metrics: OperatorMetricsRecorder?
    /// What a function's error calls the input (e.g. `table 'src'`) when it names the input row that failed.
    var inputName: String?
    /// For a table function: bundle sizes that keep each bundle's output near a budget (see ``FanOutBundleSizing``).
    var fanOutSizing: FanOutBundleSizing?
    /// The input columns the worker gets (all when nil); the output joins the worker's results with the whole input.
    var workerInput: WorkerInputColumns?
    private var buffered: [RecordBatch] = []
    private var bufferedOrigins = BundleRowOrigins()
    private var bufferedRows = 0
    private var oldestBufferedAt: ContinuousClock.Instant?
    private var inFlight: [InFlight] = []
    /// Bundles given up by ``cancel()`` that may still be running.
    private var abandoned: [Task<(BundleResult, Duration), any Error>] = []

    init(supervisor: WorkerSupervisor, descriptorID: String, options: BundleOptions, metrics: OperatorMetricsRecorder? = nil) {
        self.supervisor = supervisor
        self.descriptorID = descriptorID
        self.options = options
        self.metrics = metrics
    }

    /// Rows buffered or at the worker, not yet handed back.
    var queuedRows: Int { bufferedRows + inFlight.reduce(0) { $0 + $1.input.length } }

    /// Adds rows (the first at input index `firstRow`, when known); returns the bundles that completed meanwhile.
    mutating func add(_ batch: RecordBatch, firstRow: Int? = nil) async throws -> [Completed] {
        buffer(batch, firstRow: firstRow)
        var completed: [Completed] = []
        while bufferedRows >= nextBundleRows {
            completed += try await send(try takeBuffered(nextBundleRows))
        }
        completed += try await sendIfDue()
        return completed
    }

    /// Adds rows and sends every buffered row now, in bundles of at most the bundle size, waiting for answers only
    /// while ``BundleOptions/maxBundlesInFlight`` bundles are at the worker; returns how many bundles were sent and
    /// the bundles that completed meanwhile.
    mutating func sendAll(adding batch: RecordBatch) async throws -> (sent: Int, completed: [Completed]) {
        buffer(batch, firstRow: nil)
        var sent = 0
        var completed: [Completed] = []
        while bufferedRows > 0 {
            completed += try await send(try takeBuffered(min(bufferedRows, nextBundleRows)))
            sent += 1
        }
        return (sent, completed)
    }

    /// Waits for the oldest bundle at the worker; nil when none is there.
    mutating func completeOldestIfAny() async throws -> Completed? {
        inFlight.isEmpty ? nil : try await completeOldest()
    }

    /// Sends the buffered rows if the oldest has waited ``BundleOptions/bundleTime``; returns completed bundles.
    mutating func sendIfDue() async throws -> [Completed] {
        guard let oldest = oldestBufferedAt, ContinuousClock.now - oldest >= options.bundleTime else { return [] }
        return try await send(try takeBuffered(bufferedRows))
    }

    /// For input that has gone quiet: ``sendIfDue()``, then waits for every bundle at the worker, so their rows
    /// move on (to a streaming job's sink, which commits them) instead of waiting for more input.
    mutating func drainWhenIdle() async throws -> [Completed] {
        var completed = try await sendIfDue()
        while !inFlight.isEmpty { completed.append(try await completeOldest()) }
        return completed
    }

    /// Sends whatever is buffered and waits for every bundle at the worker.
    mutating func flush() async throws -> [Completed] {
        var completed: [Completed] = []
        while bufferedRows > 0 { completed += try await send(try takeBuffered(min(bufferedRows, nextBundleRows))) }
        while !inFlight.isEmpty { completed.append(try await completeOldest()) }
        return completed
    }

    /// The input rows the next bundle takes.
    private var nextBundleRows: Int { fanOutSizing?.nextBundleRows ?? options.bundleSize }

    /// Abandons bundles at the worker (after an error); ``awaitAbandoned()`` waits for them to end.
    mutating func cancel() {
        for bundle in inFlight {
            bundle.result.cancel()
            abandoned.append(bundle.result)
            metrics?.bundleAbandoned(bundle.bundle)
        }
        inFlight = []
        buffered = []
        bufferedOrigins = BundleRowOrigins()
        bufferedRows = 0
        oldestBufferedAt = nil
    }

    /// Waits until the abandoned bundles have ended (they end once the worker is stopped).
    mutating func awaitAbandoned() async {
        for task in abandoned { _ = await task.result }
        abandoned = []
    }

    private mutating func send(_ taken: (input: RecordBatch, origins: BundleRowOrigins)) async throws -> [Completed] {
        let input = taken.input
        let sent = try workerInput?.workerBatch(input) ?? input
        let supervisor = self.supervisor
        let descriptorID = self.descriptorID
        let bundle = metrics?.bundleStarted() ?? 0
        var onProgress: (@Sendable ([MonitoringInfo]) -> Void)?
        if let recorder = metrics {
            onProgress = { @Sendable infos in recorder.bundleProgress(bundle, infos: infos) }
        }
        let reportProgress = onProgress
        let recorder = metrics
        inFlight.append((input, bundle, taken.origins, Task {
            let started = ContinuousClock.now
            let result = try await supervisor.processBundle(descriptorID: descriptorID, input: sent, onProgress: reportProgress)
            let roundTrip = ContinuousClock.now - started
            // Reported when the worker answers, not when the pipeline hands the bundle back (which may be later).
            recorder?.bundleFinished(bundle, rowsIn: input.length, roundTrip: roundTrip, infos: result.monitoringInfos)
            return (result, roundTrip)
        }))
        var completed: [Completed] = []
        while inFlight.count >= options.maxBundlesInFlight { completed.append(try await completeOldest()) }
        return completed
    }

    private mutating func completeOldest() async throws -> Completed {
        let oldest = inFlight.removeFirst()
        do {
            let (result, roundTrip) = try await oldest.result.value
            fanOutSizing?.observe(rowsIn: oldest.input.length, rowsOut: result.batches.reduce(0) { $0 + $1.length })
            return (oldest.input, result, roundTrip, oldest.bundle)
        } catch PyFnError.functionFailed(let message) {
            metrics?.bundleAbandoned(oldest.bundle)
            cancel()
            throw PyFnError.functionFailed(oldest.origins.locating(message, inputName: inputName))
        } catch {
            metrics?.bundleAbandoned(oldest.bundle)
            cancel()
            throw error
        }
    }

    private mutating func buffer(_ batch: RecordBatch, firstRow: Int?) {
        guard batch.length > 0 else { return }
        if oldestBufferedAt == nil { oldestBufferedAt = .now }
        buffered.append(batch)
        bufferedOrigins.append(rows: batch.length, first: firstRow)
        bufferedRows += batch.length
    }

    /// Removes the first `rows` buffered rows as one batch, with their origins.
    private mutating func takeBuffered(_ rows: Int) throws -> (input: RecordBatch, origins: BundleRowOrigins) {
        let all = buffered.count == 1 ? buffered[0] : try RecordBatch.concatenate(buffered)
        let taken = all.slice(0..<rows)
        buffered = rows < all.length ? [all.slice(rows..<all.length)] : []
        bufferedRows = all.length - rows
        oldestBufferedAt = bufferedRows > 0 ? .now : nil
        return (taken, bufferedOrigins.removeFirst(rows))
    }
}
