import PyFnArrow
import PyFnProto
import Synchronization

/// What every Python operator does: it feeds batches to a supervised worker in bundles, several at a time, and
/// hands back output in input order. Each kind of operator composes it with its ``BundleOutput`` (how a bundle's
/// input and the worker's answer make output rows) and its ``BundleDescriptor/Operation`` (the transform URN).
///
/// Use it from one task: ``open()``, then ``process(_:)`` for each batch (and ``sendIfDue()`` now and then when
/// input is slow), ``finish()`` at the end of the input, and ``close()``.
public class PythonFunctionOperator {
    /// The schema of the batches fed in.
    public let inputSchema: ArrowSchema
    /// The schema of the batches handed back.
    public let outputSchema: ArrowSchema
    /// Where this operator reports its figures and its functions' metrics, if anywhere.
    public let metrics: OperatorMetricsRecorder?
    private let supervisor: WorkerSupervisor
    private var pipeline: BundlePipeline
    private let descriptor: ProcessBundleDescriptor
    private let profileEnabled: Bool
    private let bundleOutput: any BundleOutput
    private static let counter = Atomic<Int>(0)

    /// `functions` as the worker sees them: with `workerInput`, they read only its sent columns of the input.
    init(operation: BundleDescriptor.Operation, functions: FunctionSet, output: any BundleOutput,
         environment: any WorkerEnvironment, bundle: BundleOptions, metrics: RunnerMetrics?, operatorName: String?,
         workerInput: WorkerInputColumns? = nil) throws {
        let descriptorID = "\(operation.name)-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        self.inputSchema = workerInput?.inputSchema ?? functions.inputSchema
        self.outputSchema = output.schema
        self.bundleOutput = output
        self.descriptor = try BundleDescriptor.make(id: descriptorID, operation: operation, functions: functions.proto)
        let names = functions.calls.flatMap(\.functionNames)
        let recorder = metrics?.recorder(operatorName: operatorName ?? "\(operation.name)(\(names.joined(separator: ",")))", functions: names)
        self.metrics = recorder
        self.profileEnabled = functions.python.profileEnabled
        var onWorkerStart: (@Sendable (Bool) -> Void)?
        if let recorder {
            onWorkerStart = { @Sendable restart in recorder.workerStarted(restart: restart) }
        }
        self.supervisor = WorkerSupervisor(environment: environment, maxRestarts: functions.python.maxRestarts,
                                           functions: names.joined(separator: ", "), onWorkerStart: onWorkerStart)
        self.pipeline = BundlePipeline(supervisor: supervisor, descriptorID: descriptorID, options: bundle, metrics: recorder)
        pipeline.workerInput = workerInput
    }

    /// Starts the worker and registers the functions with it, so that start-up errors surface here.
    public func open() async throws {
        try await supervisor.register(descriptor)
        try await supervisor.start()
    }

    /// Whether bundles shrink to keep each one's output near a budget of rows (a table function's fan-out, see
    /// ``FanOutBundleSizing``); off by default.
    var sizesBundlesByOutput: Bool {
        get { pipeline.fanOutSizing != nil }
        set { pipeline.fanOutSizing = newValue ? FanOutBundleSizing(maximum: pipeline.options.bundleSize) : nil }
    }

    /// What the operator's input is called in a function's error (e.g. `table 'src'`), with ``process(_:firstRow:)``.
    public var inputName: String? {
        get { pipeline.inputName }
        set { pipeline.inputName = newValue }
    }

    /// Feeds a batch; returns the output of bundles that completed meanwhile. `firstRow`, the input index of the
    /// batch's first row, lets a function's error name the input row that failed.
    public func process(_ batch: RecordBatch, firstRow: Int? = nil) async throws -> [RecordBatch] {
        try output(of: try await pipeline.add(batch, firstRow: firstRow))
    }

    /// With `python.profile.enabled`, hands the worker's profile statistics to the metrics before it stops.
    private func collectProfile() async {
        guard profileEnabled, let metrics, let (worker, data) = await supervisor.profiles() else { return }
        for (key, json) in data where key.hasSuffix(":" + descriptor.id) { metrics.profile(json, worker: worker) }
    }

    /// For input that has gone quiet: sends buffered rows whose bundle time is up and returns the output of every
    /// bundle at the worker, waiting for them (otherwise a quiet stream's last rows would wait for more input).
    public func sendIfDue() async throws -> [RecordBatch] {
        try output(of: try await pipeline.drainWhenIdle())
    }

    /// Ends the input: sends what is buffered and returns all remaining output.
    public func finish() async throws -> [RecordBatch] {
        try output(of: try await pipeline.flush())
    }

    /// Feeds a batch and sends every row fed so far to the worker now (in bundles of at most the bundle size; one
    /// bundle when bundles have no size limit), without waiting for answers unless
    /// ``BundleOptions/maxBundlesInFlight`` bundles are at the worker. Returns how many bundles it sent and the
    /// output of each bundle that completed meanwhile, oldest first: a caller that pipelines requests (one or more
    /// bundles each) matches answers to requests by these counts.
    public func send(_ batch: RecordBatch) async throws -> (bundlesSent: Int, completed: [[RecordBatch]]) {
        let (sent, completed) = try await pipeline.sendAll(adding: batch)
        return (sent, try outputs(of: completed))
    }

    /// Waits for the oldest bundle at the worker and returns its output; nil when no bundle is there.
    public func completeOldestBundle() async throws -> [RecordBatch]? {
        guard let completed = try await pipeline.completeOldestIfAny() else { return nil }
        return try outputs(of: [completed])[0]
    }

    /// Stops the worker (after collecting its profile when profiling), and waits until no bundle of it runs.
    public func close() async {
        await collectProfile()
        pipeline.cancel()
        await supervisor.stop()
        await pipeline.awaitAbandoned()
        await supervisor.environment.forget(descriptorID: descriptor.id)
    }

    /// Rows fed in whose output has not been handed back yet.
    public var queuedRows: Int { pipeline.queuedRows }

    /// How many times the worker was lost and replaced.
    public var workerRestarts: Int { get async { await supervisor.restarts } }

    private func output(of completed: [BundlePipeline.Completed]) throws -> [RecordBatch] {
        try outputs(of: completed).flatMap { $0 }
    }

    /// Each completed bundle's output rows.
    private func outputs(of completed: [BundlePipeline.Completed]) throws -> [[RecordBatch]] {
        let outputs = try completed.map { bundle in
            let rows = try bundleOutput.combine(input: bundle.input, results: bundle.result.batches)
            metrics?.rowsHandedOn(rows.reduce(0) { $0 + $1.length })
            return rows
        }
        metrics?.queuedRows(pipeline.queuedRows)
        return outputs
    }
}
