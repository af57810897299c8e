import GRPCCore

/// Refuses every call that does not carry the `worker_id` header of a worker this runner started together with
/// that worker's secret (`pyfn-worker-secret`). Refusals name the worker id and the call, never a secret.
struct WorkerIdentityInterceptor: ServerInterceptor {
    /// The header Beam harnesses send on every call.
    static let header = "worker_id"

    let registry: WorkerRegistry

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let workerID = request.metadata.workerID else {
            return StreamingServerResponse(error: RPCError(
                code: .unauthenticated, message: "call to \(context.descriptor) carries no worker_id header"))
        }
        guard let secret = request.metadata[stringValues: WorkerSecret.header].first(where: { _ in true }) else {
            return StreamingServerResponse(error: RPCError(
                code: .unauthenticated, message: "call to \(context.descriptor) as worker '\(workerID)' carries no \(WorkerSecret.header) header"))
        }
        guard await registry.authenticates(workerID: workerID, secret: secret) else {
            // One answer for an unknown id and a wrong secret: a caller learns nothing about which ids exist.
            return StreamingServerResponse(error: RPCError(
                code: .permissionDenied, message: "unknown worker_id '\(workerID)' or wrong secret on \(context.descriptor)"))
        }
        await registry.noteCall(from: workerID, to: context.descriptor.service.service)
        return try await next(request, context)
    }
}

extension Metadata {
    /// The calling worker's id, from the `worker_id` header.
    var workerID: String? {
        self[stringValues: WorkerIdentityInterceptor.header].first(where: { _ in true })
    }
}
