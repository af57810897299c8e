import Foundation
import PyFnProto

/// A bundle sent to a worker whose answer has not fully arrived: it is done when the worker's
/// InstructionResponse is in and, unless the output came embedded in that response, the last output piece too
/// (they travel on different streams, so either may come first).
struct PendingBundle {
    /// The bundle's instruction id.
    let instructionID: String
    /// The descriptor the bundle runs.
    let descriptorID: String
    /// The order in which bundles were sent to the worker (which runs them in that order).
    let sequence: Int
    private let continuation: CheckedContinuation<BundleReply, any Error>
    private var output: [Data] = []
    private var outputComplete = false
    private var response: InstructionResponse?

    init(_ continuation: CheckedContinuation<BundleReply, any Error>, instructionID: String, descriptorID: String,
         sequence: Int) {
        self.continuation = continuation
        self.instructionID = instructionID
        self.descriptorID = descriptorID
        self.sequence = sequence
    }

    /// Adds an output piece (data on the `is_last` piece too, as older harnesses sent it); returns true when
    /// the bundle is now complete.
    mutating func receive(_ piece: Elements.DataMessage) -> Bool {
        if !piece.data.isEmpty { output.append(piece.data) }
        if piece.isLast { outputComplete = true }
        return response != nil && outputComplete
    }

    /// Records the worker's answer; returns true when the bundle is now complete.
    mutating func receive(_ answer: InstructionResponse) -> Bool {
        response = answer
        let embedded = answer.processBundle.elements.data.filter { $0.transformID == BundleTransform.sink }
        if !embedded.isEmpty {
            output = embedded.map(\.data).filter { !$0.isEmpty }
            outputComplete = true
        }
        return !answer.error.isEmpty || outputComplete
    }

    /// Whether the worker answered without an error (only meaningful once complete).
    var succeeded: Bool { response.map { $0.error.isEmpty } ?? false }

    /// Hands the result to whoever awaits the bundle.
    func complete() {
        guard let response else { return }
        if response.error.isEmpty {
            continuation.resume(returning: BundleReply(instructionID: instructionID, output: output, monitoringInfos: response.processBundle.monitoringInfos))
        } else {
            continuation.resume(throwing: PyFnError.functionFailed(response.error))
        }
    }

    /// Fails the bundle, e.g. because the worker went away.
    func fail(_ error: PyFnError) {
        continuation.resume(throwing: error)
    }
}
