import GRPCCore
import PyFnProto

/// BeamFnData: sends bundle input to each worker and routes its output to the bundles waiting for it.
struct DataService: BeamFnData.ServiceProtocol {
    let registry: WorkerRegistry

    func data(
        request: StreamingServerRequest<Elements>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Elements> {
        let connection = try await registry.connection(of: request.metadata)
        return StreamingServerResponse { writer in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await elements in connection.outboundData {
                        try await writer.write(elements)
                    }
                }
                group.addTask {
                    for try await elements in request.messages {
                        await connection.received(elements)
                    }
                }
                _ = try await group.next()
                group.cancelAll()
            }
            return [:]
        }
    }
}
