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

    private let instructionSink: AsyncStream<InstructionRequest>.Continuation
    private let dataSink: AsyncStream<Elements>.Continuation
    private var pending: [String: PendingBundle] = [:]
    private var nextInstruction = 0
    private var controlConnected = false
    private var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    private var lostReason: String?

    /// The largest input sent embedded in the ProcessBundleRequest instead of over the Data service.
    static let embeddedInputLimit = 256 * 1024
    /// The largest piece of a stream in one Data message.
    static let dataPieceSize = 2 * 1024 * 1024

    init(workerID: String) {
        self.workerID = workerID
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

    /// An answer arrived on the Control stream.
    func received(_ response: InstructionResponse) {
        guard var bundle = pending[response.instructionID] else { return }
        if bundle.receive(response) {
            pending[response.instructionID] = nil
            bundle.complete()
        } else {
            pending[response.instructionID] = bundle
        }
    }

    /// Output arrived on the Data stream.
    func received(_ elements: Elements) {
        for piece in elements.data where piece.transformID == BundleTransform.sink {
            guard var bundle = pending[piece.instructionID] else { continue }
            if bundle.receive(piece) {
                pending[piece.instructionID] = nil
                bundle.complete()
            } else {
                pending[piece.instructionID] = bundle
            }
        }
    }

    /// The worker is gone (its Control stream ended or its process exited): every waiting bundle fails with
    /// `reason`, and so does every later one.
    public func markLost(_ reason: String) {
        guard lostReason == nil else { return }
        lostReason = reason
        let error = PyFnError.workerLost("worker \(workerID): \(reason)")
        for waiter in connectWaiters { waiter.resume(throwing: error) }
        connectWaiters = []
        for bundle in pending.values { bundle.fail(error) }
        pending = [:]
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
    /// function failed, `PyFnError.workerLost` when the worker went away.
    public func processBundle(descriptorID: String, input: [UInt8]) async throws -> BundleReply {
        if let lostReason { throw PyFnError.workerLost("worker \(workerID): \(lostReason)") }
        nextInstruction += 1
        let instructionID = "bundle-\(nextInstruction)"
        var request = InstructionRequest()
        request.instructionID = instructionID
        request.processBundle.processBundleDescriptorID = descriptorID
        let embedded = input.count <= Self.embeddedInputLimit
        if embedded {
            request.processBundle.elements.data = [Self.piece(instructionID, Data(input), isLast: true)]
        }
        return try await withCheckedThrowingContinuation { continuation in
            pending[instructionID] = PendingBundle(continuation)
            instructionSink.yield(request)
            if !embedded { sendInput(input, instructionID: instructionID) }
        }
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
