import GRPCCore
import PyFnProto

/// BeamFnControl: streams instructions to each worker, takes its answers, and serves bundle descriptors.
struct ControlService: BeamFnControl.ServiceProtocol {
    let registry: WorkerRegistry

    func control(
        request: StreamingServerRequest<InstructionResponse>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<InstructionRequest> {
        let connection = try await registry.connection(of: request.metadata)
        let declared = request.metadata[stringValues: WorkerCapability.header].flatMap { $0.split(separator: " ").map(String.init) }
        guard await connection.controlStreamOpened(declaring: Set(declared)) else {
            throw RPCError(code: .alreadyExists, message: "worker \(connection.workerID) already has a Control stream")
        }
        return StreamingServerResponse { writer in
            // The stream ends when either side is done: the runner closing the connection ends the instruction
            // sequence, the worker closing its side ends the responses.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await instruction in connection.instructions {
                        try await writer.write(instruction)
                    }
                }
                group.addTask {
                    do {
                        for try await response in request.messages {
                            await connection.received(response)
                        }
                        await connection.markLost("its Control stream ended")
                    } catch {
                        await connection.markLost("its Control stream failed: \(error)")
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
            return [:]
        }
    }

    func getProcessBundleDescriptor(
        request: ServerRequest<GetProcessBundleDescriptorRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<ProcessBundleDescriptor> {
        let id = request.message.processBundleDescriptorID
        guard let workerID = request.metadata.workerID, let descriptor = await registry.descriptor(id: id, for: workerID) else {
            throw RPCError(code: .notFound, message: "no process bundle descriptor with id '\(id)' for this worker")
        }
        return ServerResponse(message: descriptor)
    }
}

extension WorkerRegistry {
    /// The connection of the worker named in a call's metadata (the interceptor has vetted it already).
    func connection(of metadata: Metadata) throws -> WorkerConnection {
        guard let id = metadata.workerID, let connection = connection(for: id) else {
            throw RPCError(code: .permissionDenied, message: "unknown worker")
        }
        return connection
    }
}
