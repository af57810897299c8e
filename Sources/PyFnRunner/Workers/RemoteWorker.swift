import Foundation
import PyFnArrow
import PyFnProto

/// A worker that talks to this runner over the Fn API: bundles travel as Arrow IPC streams over its connection.
struct RemoteWorker: PythonWorker {
    let id: String
    let connection: WorkerConnection
    let registry: WorkerRegistry
    /// Ends the worker's process or asks its pool to stop it.
    let terminate: @Sendable () async -> Void
    /// How the worker ended, when that can be known (a process's exit status and last output); a lost Control
    /// stream is usually a dead process, and this says how it died.
    let explainLoss: @Sendable () async -> String?

    /// Makes the descriptor available to `GetProcessBundleDescriptor` and pushes it to the worker, waiting until
    /// it has loaded and opened the functions (at most ``registerTimeout``): the operator opens with them ready,
    /// and its first bundle no longer carries that fixed cost. A failure to load or open is reported by the first
    /// bundle, with the message it always had.
    func register(_ descriptor: ProcessBundleDescriptor) async throws {
        let pointed = try descriptor.pointingServices(at: await registry.endpoint)
        await registry.register(pointed, for: id)
        await connection.register(pointed, timeout: registerTimeout)
    }

    /// How long ``register(_:)`` waits for the worker: the bundle timeout, so that a function whose open() hangs
    /// is found hung by its first bundle's watchdog after at most twice that; an hour without one.
    private var registerTimeout: Duration { connection.bundleTimeout ?? .seconds(3600) }

    func processBundle(descriptorID: String, input: RecordBatch) async throws -> BundleResult {
        try await run(descriptorID: descriptorID, input: input, onProgress: nil)
    }

    func processBundle(descriptorID: String, input: RecordBatch,
                       onProgress: @escaping @Sendable ([MonitoringInfo]) -> Void) async throws -> BundleResult {
        try await run(descriptorID: descriptorID, input: input, onProgress: onProgress)
    }

    func profiles() async -> [String: Data] {
        await connection.harnessMonitoringData()
    }

    private func run(descriptorID: String, input: RecordBatch,
                     onProgress: (@Sendable ([MonitoringInfo]) -> Void)?) async throws -> BundleResult {
        let bytes = try ArrowStreamWriter.encode([input], schema: input.schema)
        let reply: BundleReply
        do {
            reply = try await connection.processBundle(descriptorID: descriptorID, input: bytes, onProgress: onProgress)
        } catch PyFnError.workerLost(let reason) {
            guard await connection.lossNeedsExplaining, let explained = await explainLoss() else {
                throw PyFnError.workerLost(reason)
            }
            throw PyFnError.workerLost("worker \(id): \(explained)")
        }
        return BundleResult(batches: try outputBatches(of: reply, descriptorID: descriptorID),
                            monitoringInfos: reply.monitoringInfos)
    }

    /// The batches of a bundle's output stream. A stream that is missing, truncated, lacks its end-of-stream
    /// marker or has bytes after it is not trusted: the bundle fails as if the worker were lost (so it is
    /// replayed on a new one), with a message naming the bundle.
    private func outputBatches(of reply: BundleReply, descriptorID: String) throws -> [RecordBatch] {
        let bundle = "\(reply.instructionID) (descriptor \(descriptorID))"
        guard reply.output.contains(where: { !$0.isEmpty }) else {
            throw PyFnError.workerLost("worker \(id) answered \(bundle) without sending its output stream")
        }
        var reader = ArrowStreamReader()
        var batches: [RecordBatch] = []
        do {
            for piece in reply.output {
                reader.append(piece)
                while let batch = try reader.nextBatch() { batches.append(batch) }
            }
            _ = try reader.checkEnded()
        } catch let error as ArrowIPCError {
            throw PyFnError.workerLost("worker \(id) sent a broken output stream for \(bundle): \(error)")
        }
        return batches
    }

    func stop() async {
        await connection.close()
        await terminate()
        await registry.forget(workerID: id)
    }
}

extension ProcessBundleDescriptor {
    /// This descriptor with the Data-service ports of its source and sink transforms, and its State service, set
    /// to `endpoint`.
    func pointingServices(at endpoint: String) throws -> ProcessBundleDescriptor {
        var descriptor = self
        descriptor.stateApiServiceDescriptor.url = endpoint
        for id in [BundleTransform.source, BundleTransform.sink] {
            guard var transform = descriptor.transforms[id] else { continue }
            var port = try RemoteGrpcPort(serializedBytes: transform.spec.payload)
            port.apiServiceDescriptor.url = endpoint
            transform.spec.payload = try port.serializedData()
            descriptor.transforms[id] = transform
        }
        return descriptor
    }
}

extension RemoteWorker {
    /// Waits until the worker has dialed in, at most `timeout`; otherwise stops it and throws saying that `what`
    /// did not start and why: `PyFnError.workerStartFailed` when it did not dial in within `timeout`, and
    /// `PyFnError.workerLost` when it died first (its process exited or its Control stream ended during the
    /// handshake), so its supervisor restarts it as it would a worker lost later.
    func awaitConnection(within timeout: Duration, starting what: String) async throws {
        let connection = self.connection
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            await connection.markLost("it did not connect within \(timeout)", explained: true)
        }
        defer { watchdog.cancel() }
        do {
            try await connection.waitUntilConnected()
        } catch {
            let timedOut = !(await connection.lossNeedsExplaining)
            let explained = timedOut ? nil : await explainLoss()
            await stop()
            let reason: String
            if let explained { reason = "worker \(id): \(explained)" } else if case PyFnError.workerLost(let message) = error {
                reason = message
            } else {
                reason = "\(error)"
            }
            if timedOut { throw PyFnError.workerStartFailed("\(what) did not start: \(reason)") }
            throw PyFnError.workerLost("\(what) died while starting: \(reason)")
        }
    }
}
