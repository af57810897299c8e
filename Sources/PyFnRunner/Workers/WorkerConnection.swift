import Foundation
import PyFnProto

/// The runner's side of one connected worker: it sends instructions and bundle input over the worker's Control
/// and Data streams and matches what comes back to the bundles waiting for it.
public actor WorkerConnection {
    /// The id the worker sends in its `worker_id` header.
    public nonisolated let workerID: String
    /// Instructions for the Control stream to write, in order.
    nonisolated let instructions: AsyncStream<InstructionRequest>
    /// Input pieces for the Data stream to write, in order.
    nonisolated let outboundData: AsyncStream<Elements>

    /// Where the state its bundles write waits for them to succeed.
    private let state: StateStore
    private let instructionSink: AsyncStream<InstructionRequest>.Continuation
    private let dataSink: AsyncStream<Elements>.Continuation
    private var pending: [String: PendingBundle] = [:]
    /// Answers awaited for instructions other than bundles (progress, harness monitoring infos).
    private var awaitedAnswers: [String: CheckedContinuation<InstructionResponse?, Never>] = [:]
    private var nextInstruction = 0
    private var controlConnected = false
    private var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    private var lostReason: String?

    /// The largest input sent embedded in the ProcessBundleRequest instead of over the Data service.
    static let embeddedInputLimit = 256 * 1024
    /// The largest piece of a stream in one Data message.
    static let dataPieceSize = 2 * 1024 * 1024

    init(workerID: String, state: StateStore) {
        self.workerID = workerID
        self.state = state
        (instructions, instructionSink) = AsyncStream.makeStream()
        (outboundData, dataSink) = AsyncStream.makeStream()
    }

    // MARK: the worker's side (called by the services)

    /// The worker opened its Control stream; false if it already had one (a second one is refused).
    func controlStreamOpened() -> Bool {
        guard !controlConnected, lostReason == nil else { return false }
        controlConnected = true
        for waiter in connectWaiters { waiter.resume() }
        connectWaiters = []
        return true
    }

    /// How long a bundle may be outstanding before its progress is asked for, and how often after that.
    static let progressInterval: Duration = .seconds(1)

    /// An answer arrived on the Control stream.
    func received(_ response: InstructionResponse) {
        if let waiter = awaitedAnswers.removeValue(forKey: response.instructionID) {
            waiter.resume(returning: response)
            return
        }
        guard var bundle = pending[response.instructionID] else { return }
        if bundle.receive(response) {
            complete(bundle, response.instructionID)
        } else {
            pending[response.instructionID] = bundle
        }
    }

    /// Output arrived on the Data stream.
    func received(_ elements: Elements) {
        for piece in elements.data where piece.transformID == BundleTransform.sink {
            guard var bundle = pending[piece.instructionID] else { continue }
            if bundle.receive(piece) {
                complete(bundle, piece.instructionID)
            } else {
                pending[piece.instructionID] = bundle
            }
        }
    }

    /// Hands a bundle its result, committing the state it wrote when it succeeded (before anyone hears of it,
    /// so the next bundle reads it).
    private func complete(_ bundle: PendingBundle, _ instructionID: String) {
        pending[instructionID] = nil
        state.end(worker: workerID, instruction: instructionID, commit: bundle.succeeded)
        bundle.complete()
    }

    /// The worker is gone (its Control stream ended or its process exited): every waiting bundle fails with
    /// `reason`, and so does every later one.
    public func markLost(_ reason: String) {
        guard lostReason == nil else { return }
        lostReason = reason
        let error = PyFnError.workerLost("worker \(workerID): \(reason)")
        for waiter in connectWaiters { waiter.resume(throwing: error) }
        connectWaiters = []
        state.endAll(worker: workerID)
        for bundle in pending.values { bundle.fail(error) }
        pending = [:]
        for waiter in awaitedAnswers.values { waiter.resume(returning: nil) }
        awaitedAnswers = [:]
        instructionSink.finish()
        dataSink.finish()
    }

    // MARK: the operator's side

    /// Returns once the worker's Control stream is open; throws if the worker is lost first.
    public func waitUntilConnected() async throws {
        if controlConnected { return }
        if let lostReason { throw PyFnError.workerLost("worker \(workerID): \(lostReason)") }
        try await withCheckedThrowingContinuation { connectWaiters.append($0) }
    }

    /// Whether the worker has dialed in and is not lost.
    public var isConnected: Bool { controlConnected && lostReason == nil }

    /// Runs one bundle: `input` is a whole Arrow IPC stream for the descriptor's source transform. Returns the
    /// output stream and the bundle's metrics; throws `PyFnError.functionFailed` with the worker's message when a
    /// function failed, `PyFnError.workerLost` when the worker went away. With `onProgress`, a bundle outstanding
    /// longer than ``progressInterval`` is asked for its progress every interval, and `onProgress` gets the
    /// metrics of each answer that arrives before the bundle's own.
    public func processBundle(descriptorID: String, input: [UInt8],
                              onProgress: (@Sendable ([MonitoringInfo]) -> Void)? = nil) async throws -> BundleReply {
        if let lostReason { throw PyFnError.workerLost("worker \(workerID): \(lostReason)") }
        let instructionID = newInstructionID("bundle")
        var request = InstructionRequest()
        request.instructionID = instructionID
        request.processBundle.processBundleDescriptorID = descriptorID
        let embedded = input.count <= Self.embeddedInputLimit
        if embedded {
            request.processBundle.elements.data = [Self.piece(instructionID, Data(input), isLast: true)]
        }
        return try await withCheckedThrowingContinuation { continuation in
            state.begin(worker: workerID, instruction: instructionID, descriptor: descriptorID)
            pending[instructionID] = PendingBundle(continuation)
            instructionSink.yield(request)
            if !embedded { sendInput(input, instructionID: instructionID) }
            if let onProgress { Task { await self.reportProgress(of: instructionID, to: onProgress) } }
        }
    }

    /// Runs one bundle whose input is already cut into Data pieces (each readable on its own, as PyFlink's worker
    /// decodes them): the pieces, then an empty `is_last` piece, never embedded in the request. Returns the
    /// instruction id with the reply, so that errors can name the bundle.
    func processBundle(descriptorID: String, pieces: [Data],
                       onProgress: (@Sendable ([MonitoringInfo]) -> Void)?) async throws -> (String, BundleReply) {
        if let lostReason { throw PyFnError.workerLost("worker \(workerID): \(lostReason)") }
        let instructionID = newInstructionID("bundle")
        var request = InstructionRequest()
        request.instructionID = instructionID
        request.processBundle.processBundleDescriptorID = descriptorID
        let reply: BundleReply = try await withCheckedThrowingContinuation { continuation in
            state.begin(worker: workerID, instruction: instructionID, descriptor: descriptorID)
            pending[instructionID] = PendingBundle(continuation)
            instructionSink.yield(request)
            for piece in pieces + [Data()] {
                var elements = Elements()
                elements.data = [Self.piece(instructionID, piece, isLast: piece.isEmpty)]
                dataSink.yield(elements)
            }
            if let onProgress { Task { await self.reportProgress(of: instructionID, to: onProgress) } }
        }
        return (instructionID, reply)
    }

    /// Asks the worker for the metrics of every profiling operator (`python.profile.enabled`): its
    /// HarnessMonitoringInfosResponse's `monitoring_data`, empty when the worker is lost or does not answer
    /// within `timeout`.
    public func harnessMonitoringData(timeout: Duration = .seconds(5)) async -> [String: Data] {
        var request = InstructionRequest()
        request.harnessMonitoringInfos = HarnessMonitoringInfosRequest()
        let answer = await ask(request, kind: "harness", timeout: timeout)
        return answer?.harnessMonitoringInfos.monitoringData ?? [:]
    }

    /// Polls a bundle's progress while it is outstanding.
    private func reportProgress(of instructionID: String, to onProgress: @Sendable ([MonitoringInfo]) -> Void) async {
        while true {
            try? await Task.sleep(for: Self.progressInterval)
            guard pending[instructionID] != nil else { return }
            var request = InstructionRequest()
            request.processBundleProgress.instructionID = instructionID
            guard let answer = await ask(request, kind: "progress", timeout: Self.progressInterval * 10) else { return }
            // A progress answer that comes after the bundle's own is stale: the final values have taken over.
            guard pending[instructionID] != nil else { return }
            if answer.error.isEmpty { onProgress(answer.processBundleProgress.monitoringInfos) }
        }
    }

    /// Sends a non-bundle instruction and waits for its answer: nil if the worker is lost or `timeout` passes.
    private func ask(_ request: InstructionRequest, kind: String, timeout: Duration) async -> InstructionResponse? {
        guard lostReason == nil else { return nil }
        var request = request
        let instructionID = newInstructionID(kind)
        request.instructionID = instructionID
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.giveUpWaiting(for: instructionID)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            awaitedAnswers[instructionID] = continuation
            instructionSink.yield(request)
        }
    }

    private func giveUpWaiting(for instructionID: String) {
        awaitedAnswers.removeValue(forKey: instructionID)?.resume(returning: nil)
    }

    private func newInstructionID(_ kind: String) -> String {
        nextInstruction += 1
        return "\(kind)-\(nextInstruction)"
    }

    /// Ends the Control stream; a harness exits when it sees that.
    public func close() {
        markLost("closed by the runner")
    }

    private func sendInput(_ input: [UInt8], instructionID: String) {
        var start = 0
        repeat {
            let end = min(start + Self.dataPieceSize, input.count)
            var elements = Elements()
            elements.data = [Self.piece(instructionID, Data(input[start..<end]), isLast: end == input.count)]
            dataSink.yield(elements)
            start = end
        } while start < input.count
    }

    private static func piece(_ instructionID: String, _ data: Data, isLast: Bool) -> Elements.DataMessage {
        var piece = Elements.DataMessage()
        piece.instructionID = instructionID
        piece.transformID = BundleTransform.source
        piece.data = data
        piece.isLast = isLast
        return piece
    }
}
