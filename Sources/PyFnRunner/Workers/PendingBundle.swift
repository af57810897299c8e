import Foundation
import PyFnProto

/// A bundle sent to a worker whose answer has not fully arrived: it is done when the worker's
/// InstructionResponse is in and, unless the output came embedded in that response, the last output piece too
/// (they travel on different streams, so either may come first).
struct PendingBundle {
    private let continuation: CheckedContinuation<BundleReply, any Error>
    private var output: [Data] = []
    private var outputComplete = false
    private var response: InstructionResponse?

    init(_ continuation: CheckedContinuation<BundleReply, any Error>) {
        self.continuation = continuation
    }

    /// Adds an output piece; returns true when the bundle is now complete.
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
            continuation.resume(returning: BundleReply(output: output, monitoringInfos: response.processBundle.monitoringInfos))
        } else {
            continuation.resume(throwing: PyFnError.functionFailed(response.error))
        }
    }

    /// Fails the bundle, e.g. because the worker went away.
    func fail(_ error: PyFnError) {
        continuation.resume(throwing: error)
    }
}
