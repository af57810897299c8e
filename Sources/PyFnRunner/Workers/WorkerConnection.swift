import Foundation
import PyFnProto

/// The runner's side of one connected worker: it sends instructions and bundle input over the worker's Control
/// and Data streams and matches what comes back to the bundles waiting for it. A stream goes out as data pieces
/// followed by an empty `is_last` piece; input rides in the ProcessBundleRequest only when the worker declared
/// that capability. With a bundle timeout, a watchdog declares the worker hung when its bundles get neither
/// output nor an answer for that long.
public actor WorkerConnection {
    /// The id the worker sends in its `worker_id` header.
    public nonisolated let workerID: String
    /// The Fn API capabilities the worker's environment declares (``WorkerCapability``).
    public nonisolated let capabilities: Set<String>
    /// The capabilities the harness itself declared when it opened its Control stream.
    private var harnessCapabilities: Set<String> = []
    /// How long bundles may go without output or an answer before the worker counts as hung; nil: no limit.
    public nonisolated let bundleTimeout: Duration?
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
    /// Whether ``lostReason`` already says all there is (a hang); otherwise how the process ended may say more.
    private var lossExplained = false
    /// When the worker last showed that its bundles move: a bundle sent to an idle worker, an output piece, an
    /// answer, or progress metrics that changed.
    private var lastActivity = ContinuousClock.now
    /// What to do before a hung worker is given up: e.g. have it write its Python stacks; returns them.
    private var hangHandler: (@Sendable (_ what: String) async -> String?)?
    private var watchdog: Task<Void, Never>?
    private var diagnosingHang = false

    /// The largest input sent embedded in the ProcessBundleRequest instead of over the Data service.
    static let embeddedInputLimit = 256 * 1024
    /// The largest piece of a stream in one Data message.
    static let dataPieceSize = 2 * 1024 * 1024

    init(workerID: String, state: StateStore, capabilities: Set<String> = WorkerCapability.pyfnHarness,
         bundleTimeout: Duration? = nil) {
        self.workerID = workerID
        self.state = state
        self.capabilities = capabilities
        self.bundleTimeout = bundleTimeout
        (instructions, instructionSink) = AsyncStream.makeStream()
        (outboundData, dataSink) = AsyncStream.makeStream()
    }

    // MARK: the worker's side (called by the services)

    /// The worker opened its Control stream declaring `declared` capabilities (its ``WorkerCapability/header``);
    /// false if it already had one (a second one is refused).
    func controlStreamOpened(declaring declared: Set<String> = []) -> Bool {
        guard !controlConnected, lostReason == nil else { return false }
        controlConnected = true
        harnessCapabilities = declared
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
        lastActivity = .now
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
            lastActivity = .now
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
    /// `explained`: the reason says all there is (how the process then ended adds nothing).
    public func markLost(_ reason: String, explained: Bool = false) {
        // While a hung worker is asked for its stacks (and killed), its exit is not the news.
        guard lostReason == nil, !(diagnosingHang && !explained) else { return }
        lostReason = reason
        lossExplained = explained
        watchdog?.cancel()
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

    /// Whether both the worker's environment and the harness declared `capability`.
    func uses(_ capability: String) -> Bool {
        capabilities.contains(capability) && harnessCapabilities.contains(capability)
    }

    /// Whether the worker has dialed in and is not lost.
    public var isConnected: Bool { controlConnected && lostReason == nil }

    /// Whether the worker was lost for a reason that how its process ended may explain better (its Control
    /// stream ended), rather than one that says it all (it hung).
    public var lossNeedsExplaining: Bool { lostReason != nil && !lossExplained }

    /// Sets what is done when the worker is found hung, before it is marked lost: `handler` gets what hung and
    /// returns the worker's Python stacks, if it can get them (they go into the loss's message).
    public func onHang(_ handler: @escaping @Sendable (_ what: String) async -> String?) {
        hangHandler = handler
    }

    /// Runs one bundle: `input` is a whole Arrow IPC stream for the descriptor's source transform. Returns the
    /// output stream and the bundle's metrics; throws `PyFnError.functionFailed` with the worker's message when a
    /// function failed, `PyFnError.workerLost` when the worker went away. With `onProgress`, a bundle outstanding
    /// longer than ``progressInterval`` is asked for its progress every interval, and `onProgress` gets the
    /// metrics of each answer that arrives before the bundle's own.
    public func processBundle(descriptorID: String, input: [UInt8],
                              onProgress: (@Sendable ([MonitoringInfo]) -> Void)? = nil) async throws -> BundleReply {
        let embeddable = input.count <= Self.embeddedInputLimit && uses(WorkerCapability.controlRequestElementsEmbedding)
        return try await run(descriptorID: descriptorID, embeddable: embeddable, onProgress: onProgress) { instructionID in
            Self.pieces(of: input, instructionID: instructionID)
        }.reply
    }

    /// Runs one bundle whose input is already cut into Data pieces (each readable on its own, as PyFlink's worker
    /// decodes them): the pieces, then an empty `is_last` piece, never embedded in the request. Returns the
    /// instruction id with the reply, so that errors can name the bundle.
    func processBundle(descriptorID: String, pieces: [Data],
                       onProgress: (@Sendable ([MonitoringInfo]) -> Void)?) async throws -> (instructionID: String, reply: BundleReply) {
        try await run(descriptorID: descriptorID, embeddable: false, onProgress: onProgress) { instructionID in
            (pieces + [Data()]).map { Self.piece(instructionID, $0, isLast: $0.isEmpty) }
        }
    }

    /// Sends a bundle whose input is `pieces(instructionID)` (the last one empty and `is_last`), embedded in the
    /// request when `embeddable`, else on the Data stream; returns its instruction id and reply.
    private func run(descriptorID: String, embeddable: Bool, onProgress: (@Sendable ([MonitoringInfo]) -> Void)?,
                     pieces: (String) -> [Elements.DataMessage]) async throws -> (instructionID: String, reply: BundleReply) {
        if let lostReason { throw PyFnError.workerLost("worker \(workerID): \(lostReason)") }
        let instructionID = newInstructionID("bundle")
        var request = InstructionRequest()
        request.instructionID = instructionID
        request.processBundle.processBundleDescriptorID = descriptorID
        let input = pieces(instructionID)
        if embeddable {
            request.processBundle.elements.data = input
        }
        let reply: BundleReply = try await withCheckedThrowingContinuation { continuation in
            state.begin(worker: workerID, instruction: instructionID, descriptor: descriptorID)
            // A worker with nothing to do was not hung before: its silence counts from now.
            if pending.isEmpty { lastActivity = .now }
            pending[instructionID] = PendingBundle(continuation, instructionID: instructionID, descriptorID: descriptorID,
                                                  sequence: nextInstruction)
            startWatchdogIfNeeded()
            instructionSink.yield(request)
            if !embeddable {
                for piece in input {
                    var elements = Elements()
                    elements.data = [piece]
                    dataSink.yield(elements)
                }
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

    /// Pushes `descriptor` to the worker with a RegisterRequest and waits until the worker has taken it (PyFn's
    /// harness loads and opens its functions first), at most `timeout`. Returns whether the worker answered
    /// without an error; nothing fails here: a worker that cannot take the descriptor (lost, or a harness that
    /// refuses the instruction) still fetches it with `GetProcessBundleDescriptor` for its first bundle, which
    /// reports what went wrong.
    @discardableResult
    public func register(_ descriptor: ProcessBundleDescriptor, timeout: Duration) async -> Bool {
        var request = InstructionRequest()
        request.register.processBundleDescriptor = [descriptor]
        let answer = await ask(request, kind: "register", timeout: timeout)
        return answer.map { $0.error.isEmpty } ?? false
    }

    /// Polls a bundle's progress while it is outstanding; metrics that changed count as the bundle moving.
    private func reportProgress(of instructionID: String, to onProgress: @Sendable ([MonitoringInfo]) -> Void) async {
        var previous: [MonitoringInfo] = []
        while true {
            try? await Task.sleep(for: Self.progressInterval)
            guard pending[instructionID] != nil else { return }
            var request = InstructionRequest()
            request.processBundleProgress.instructionID = instructionID
            guard let answer = await ask(request, kind: "progress", timeout: Self.progressInterval * 10) else { return }
            // A progress answer that comes after the bundle's own is stale: the final values have taken over.
            guard pending[instructionID] != nil else { return }
            guard answer.error.isEmpty else { continue }
            let infos = answer.processBundleProgress.monitoringInfos
            if infos != previous { lastActivity = .now }
            previous = infos
            onProgress(infos)
        }
    }

    /// Starts the hang watchdog once there is a timeout and a bundle to watch.
    private func startWatchdogIfNeeded() {
        guard watchdog == nil, let timeout = bundleTimeout else { return }
        // Checked a few times per timeout, at least once a second: a hang is found within a quarter of it.
        let interval = min(timeout / 4, .seconds(1))
        watchdog = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, await self.checkForHang(timeout) else { return }
            }
        }
    }

    /// Marks the worker lost when bundles wait and it has shown no activity for `timeout`, after its hang
    /// handler (its Python stacks) has run; false once there is nothing more to watch.
    private func checkForHang(_ timeout: Duration) async -> Bool {
        guard lostReason == nil else { return false }
        guard let (instructionID, bundle) = pending.min(by: { $0.value.sequence < $1.value.sequence }),
              ContinuousClock.now - lastActivity >= timeout else { return true }
        let what = "\(instructionID) (descriptor \(bundle.descriptorID)) got neither output nor an answer for "
            + "\(Self.describe(timeout)) (python.fn-execution.bundle.timeout)"
        diagnosingHang = true
        let stacks = await hangHandler?(what)
        diagnosingHang = false
        let detail = stacks.map { $0.isEmpty ? "; it wrote no Python stacks" : "; its Python stacks:\n\($0)" } ?? ""
        markLost(what + detail, explained: true)
        return false
    }

    /// A duration as a user writes it: "3 s", "0.5 s", "10 min".
    static func describe(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
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

    /// A stream as Data pieces of at most ``dataPieceSize`` bytes, then an empty `is_last` piece: Beam's data
    /// channels drop the data of a piece marked last.
    static func pieces(of input: [UInt8], instructionID: String) -> [Elements.DataMessage] {
        var pieces = stride(from: 0, to: input.count, by: Self.dataPieceSize).map { start in
            piece(instructionID, Data(input[start..<min(start + Self.dataPieceSize, input.count)]), isLast: false)
        }
        pieces.append(piece(instructionID, Data(), isLast: true))
        return pieces
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
